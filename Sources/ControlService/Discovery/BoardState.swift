import NIOCore
import Topology

/// What the discovery board holds, changed only under its lock. Every change returns the
/// calls to make once the lock is released: a callback may hop threads or take locks of
/// its own, so none ever runs under this one.
struct BoardState {
  struct Waiter {
    let condition: DiscoveryBoard.Condition
    let deadline: ContinuousClock.Instant
    let answer: Callee<PublishedDiscovery?>
  }

  /// A long-poll to answer (nil: its timeout, or the board closing).
  typealias Answering = (Callee<PublishedDiscovery?>, PublishedDiscovery?)
  /// An event for an event stream.
  typealias Telling = (Callee<DiscoveryBoard.StreamEvent>, DiscoveryBoard.StreamEvent)

  var published: [LaneID: PublishedDiscovery] = [:]
  var waiters: [LaneID: [UInt64: Waiter]] = [:]
  var streams: [LaneID: [UInt64: Callee<DiscoveryBoard.StreamEvent>]] = [:]
  /// When each service's streams are next sent a heartbeat.
  var nextBeat: [LaneID: ContinuousClock.Instant] = [:]
  var waiting = 0
  var streaming = 0
  var nextID: UInt64 = 0
  var closed = false
  /// Until when what is published is known to be current; nil: always (one instance, its
  /// own state). Past it the board serves nothing: see `DiscoveryBoard.confirm`.
  var freshUntil: ContinuousClock.Instant?
  /// Past `freshUntil`, and its waiters and streams let go.
  var stale = false
  /// Whether the task that ends timed-out waits and sends heartbeats is running; it stops
  /// when nothing waits and nothing streams.
  var sweeping = false

  mutating func newID() -> UInt64 {
    nextID += 1
    return nextID
  }

  mutating func publish(_ p: PublishedDiscovery) -> ([Answering], [Telling]) {
    let service = p.document.lane
    published[service] = p
    var answered: [Answering] = []
    for (id, w) in waiters[service] ?? [:] where w.condition.isMet(by: p) {
      waiters[service]?[id] = nil
      waiting -= 1
      answered.append((w.answer, p))
    }
    let told = (streams[service] ?? [:]).values.map { ($0, DiscoveryBoard.StreamEvent.document(p)) }
    return (answered, told)
  }

  mutating func park(
    _ service: LaneID, _ condition: DiscoveryBoard.Condition, deadline: ContinuousClock.Instant,
    answer: Callee<PublishedDiscovery?>
  ) -> DiscoveryBoard.Parked {
    if closed || !isFresh(at: .now) { return .answered(nil) }
    if let p = published[service], condition.isMet(by: p) { return .answered(p) }
    if deadline <= .now { return .answered(nil) }
    let id = newID()
    waiters[service, default: [:]][id] = Waiter(condition: condition, deadline: deadline, answer: answer)
    waiting += 1
    return .parked(DiscoveryBoard.Ticket(service: service, id: id))
  }

  mutating func subscribe(_ service: LaneID, _ listener: Callee<DiscoveryBoard.StreamEvent>) -> DiscoveryBoard.Ticket? {
    if closed || !isFresh(at: .now) { return nil }
    let id = newID()
    streams[service, default: [:]][id] = listener
    streaming += 1
    return DiscoveryBoard.Ticket(service: service, id: id)
  }

  /// Takes a long-poll or a stream off the board; its callback, if it was still there.
  mutating func remove(_ t: DiscoveryBoard.Ticket) -> Callee<PublishedDiscovery?>? {
    if let w = waiters[t.service]?.removeValue(forKey: t.id) {
      waiting -= 1
      return w.answer
    }
    if streams[t.service]?.removeValue(forKey: t.id) != nil { streaming -= 1 }
    return nil
  }

  func isFresh(at now: ContinuousClock.Instant) -> Bool { !stale && (freshUntil.map { now < $0 } ?? true) }

  mutating func confirm(until: ContinuousClock.Instant) {
    if freshUntil.map({ until > $0 }) ?? true { freshUntil = until }
    stale = false
  }

  /// Long-polls whose deadline passed, and heartbeats for the streams of every service
  /// whose turn it is. Once the board is stale, every long-poll is answered and every
  /// stream ended instead: its clients must hear from an instance that is current.
  mutating func sweep(now: ContinuousClock.Instant) -> ([Answering], [Telling]) {
    if !stale, let freshUntil, now >= freshUntil {
      stale = true
      sweeping = false
      return releaseAll()
    }
    var expired: [Answering] = []
    for (service, ws) in waiters {
      for (id, w) in ws where w.deadline <= now {
        waiters[service]?[id] = nil
        expired.append((w.answer, nil))
      }
    }
    waiting -= expired.count
    var beats: [Telling] = []
    for (service, listeners) in streams where !listeners.isEmpty {
      let interval = published[service]?.heartbeat ?? DiscoveryBoard.longestHeartbeat
      guard let next = nextBeat[service] else {
        nextBeat[service] = now + interval
        continue
      }
      guard next <= now else { continue }
      nextBeat[service] = now + interval
      beats += listeners.values.map { ($0, .heartbeat) }
    }
    if waiting == 0 && streaming == 0 { sweeping = false }
    return (expired, beats)
  }

  mutating func close() -> ([Answering], [Telling]) {
    closed = true
    return releaseAll()
  }

  /// Every long-poll answered (nil) and every stream ended: the board keeps no client.
  private mutating func releaseAll() -> ([Answering], [Telling]) {
    let answered = waiters.values.flatMap(\.values).map { ($0.answer, PublishedDiscovery?.none) }
    let told = streams.values.flatMap(\.values).map { ($0, DiscoveryBoard.StreamEvent.closed) }
    waiters = [:]
    streams = [:]
    waiting = 0
    streaming = 0
    return (answered, told)
  }
}

/// A callback and the event loop it runs on (nil: the caller's thread). The board calls
/// the ones of one loop in one task on that loop: a change that wakes ten thousand
/// clients hops to each loop once, not once per client.
struct Callee<Argument: Sendable>: Sendable {
  let loop: (any EventLoop)?
  let call: @Sendable (Argument) -> Void

  /// `then` runs after the calls of each loop (and after those on the caller's thread), when
  /// there were any: how long a change took to reach the clients is measured there.
  static func deliver(_ calls: [(Callee, Argument)], then: (@Sendable () -> Void)? = nil) {
    var byLoop: [ObjectIdentifier: (loop: any EventLoop, calls: [(Callee, Argument)])] = [:]
    var here = false
    for (callee, argument) in calls {
      guard let loop = callee.loop else {
        callee.call(argument)
        here = true
        continue
      }
      byLoop[ObjectIdentifier(loop), default: (loop, [])].calls.append((callee, argument))
    }
    if here { then?() }
    for (loop, group) in byLoop.values {
      loop.execute {
        for (callee, argument) in group { callee.call(argument) }
        then?()
      }
    }
  }
}
