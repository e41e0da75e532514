import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Synchronization
import Topology

/// The discovery documents being served, the long-polls waiting for them to change and
/// the event streams following them.
///
/// Reads take a lock for a dictionary lookup and never touch SQLite, so discovery stays
/// cheap under thousands of pollers. A waiting client is an entry and a callback here,
/// not a suspended task: the HTTP layer parks the request and is called back when the
/// document changes, its timeout passes or the board closes.
public final class DiscoveryBoard: Sendable {
  /// What a long-poll waits for: a document whose epoch differs from `epoch`, or whose
  /// ETag differs from `etag`.
  public struct Condition: Sendable {
    public var epoch: Int64?
    public var etag: String?

    public init(epoch: Int64? = nil, etag: String? = nil) {
      self.epoch = epoch
      self.etag = etag
    }

    public func isMet(by p: PublishedDiscovery) -> Bool {
      if let epoch, p.epoch != epoch { return true }
      if let etag, !p.matches(ifNoneMatch: etag) { return true }
      return false
    }
  }

  /// How a parked long-poll is answered: the document that met its condition, or nil at
  /// its timeout or when the board closes. Called once, on any thread.
  public typealias Answer = @Sendable (PublishedDiscovery?) -> Void

  /// What an event stream is told, on any thread.
  public enum StreamEvent: Sendable {
    /// A new document of the service.
    case document(PublishedDiscovery)
    /// Nothing changed; the stream is alive (a client counts its lease from these).
    case heartbeat
    /// The server is stopping: end the stream.
    case closed
  }
  public typealias Listener = @Sendable (StreamEvent) -> Void

  /// A parked long-poll or a stream, to take off the board.
  public struct Ticket: Sendable, Hashable {
    let service: LaneID
    let id: UInt64
  }

  public enum Parked: Sendable {
    /// No need to wait (the condition is met, the timeout is zero, the board is closed).
    case answered(PublishedDiscovery?)
    case parked(Ticket)
  }

  private let state = NIOLockedValueBox(BoardState())
  /// Told, per event loop, how long after a publish its waiting clients were woken.
  private let onWake: (@Sendable (Duration) -> Void)?

  public init(onWake: (@Sendable (Duration) -> Void)? = nil) { self.onWake = onWake }

  public func current(_ service: LaneID) -> PublishedDiscovery? {
    state.withLockedValue { $0.published[service] }
  }

  /// The service's document and whether the board is fresh, under one lock: what every
  /// discovery request asks first.
  func lookup(_ service: LaneID) -> (PublishedDiscovery?, fresh: Bool) {
    state.withLockedValue { s in (s.published[service], s.isFresh(at: .now)) }
  }

  public var services: [LaneID] { state.withLockedValue { $0.published.keys.sorted() } }

  /// Long-polls waiting now.
  public var waiting: Int { state.withLockedValue { $0.waiting } }

  /// Event streams open now.
  public var streaming: Int { state.withLockedValue { $0.streaming } }

  /// Whether what this board serves is known to be current now.
  public var isFresh: Bool { state.withLockedValue { $0.isFresh(at: .now) } }

  /// The shared state was read as it is (by a read sent at some instant): what is
  /// published is current until `until`. Once a board has been confirmed, it must be
  /// confirmed again before then, or it serves nothing (503), ends its streams and answers
  /// its long-polls: an instance cut off from the shared state must not keep its clients'
  /// leases alive with a document the leader may have changed since.
  public func confirm(until: ContinuousClock.Instant) {
    state.withLockedValue { $0.confirm(until: until) }
  }

  public func publish(_ p: PublishedDiscovery) {
    let published = ContinuousClock.now
    let (answered, told) = state.withLockedValue { $0.publish(p) }
    let woken = onWake.map { record in { @Sendable in record(ContinuousClock.now - published) } }
    Callee.deliver(answered, then: woken)
    Callee.deliver(told, then: woken)
  }

  /// Parks a long-poll until the service's document meets `condition` or `timeout`
  /// passes; `answer` is called then (on `loop` when given), unless the ticket is
  /// cancelled first.
  public func park(
    _ service: LaneID, for condition: Condition, timeout: Duration, on loop: (any EventLoop)? = nil,
    answer: @escaping Answer
  ) -> Parked {
    let deadline = ContinuousClock.now + timeout
    let parked = state.withLockedValue { s in
      let parked = s.park(service, condition, deadline: deadline, answer: Callee(loop: loop, call: answer))
      return (parked, startsSweeping(&s, parked: parked))
    }
    if parked.1 { startSweeping() }
    return parked.0
  }

  /// Follows a service: the listener gets every later document, heartbeats and the
  /// board's close. Returns the stream's ticket and the document as it is now, read
  /// atomically with the registration so that no change falls between them; nil once
  /// the board is closed.
  public func subscribe(_ service: LaneID, on loop: (any EventLoop)? = nil, listener: @escaping Listener) -> (
    Ticket, PublishedDiscovery?
  )? {
    let result = state.withLockedValue { s -> ((Ticket, PublishedDiscovery?)?, Bool) in
      guard let t = s.subscribe(service, Callee(loop: loop, call: listener)) else { return (nil, false) }
      let starts = !s.sweeping
      s.sweeping = true
      return ((t, s.published[service]), starts)
    }
    if result.1 { startSweeping() }
    return result.0
  }

  /// Takes a long-poll or a stream off the board without calling it (its client is gone).
  public func cancel(_ ticket: Ticket) {
    _ = state.withLockedValue { $0.remove(ticket) }
  }

  /// Suspends until the service's document meets `condition` (returned) or `timeout`
  /// passes, the task is cancelled, or the board closes (nil).
  public func wait(_ service: LaneID, for condition: Condition, timeout: Duration) async -> PublishedDiscovery? {
    // nil: not parked yet; cancelled before it was parked; or parked with its ticket.
    let parking = Mutex<ParkingState>(.notYet)
    return await withTaskCancellationHandler {
      await withCheckedContinuation { (c: CheckedContinuation<PublishedDiscovery?, Never>) in
        switch park(service, for: condition, timeout: timeout, answer: { c.resume(returning: $0) }) {
        case .answered(let p): c.resume(returning: p)
        case .parked(let ticket):
          let cancelled = parking.withLock { p in
            if case .cancelled = p { return true }
            p = .parked(ticket)
            return false
          }
          if cancelled { expire(ticket) }
        }
      }
    } onCancel: {
      let ticket = parking.withLock { p -> Ticket? in
        defer { p = .cancelled }
        if case .parked(let t) = p { return t }
        return nil
      }
      if let ticket { expire(ticket) }
    }
  }

  private enum ParkingState: Sendable {
    case notYet, cancelled
    case parked(Ticket)
  }

  /// Answers a parked long-poll now, with nil.
  private func expire(_ ticket: Ticket) {
    state.withLockedValue { $0.remove(ticket) }?.call(nil)
  }

  /// Answers every waiting long-poll (nil), ends every stream and makes later waits
  /// return at once: the server can then finish its in-flight requests and stop.
  public func close() {
    let (answered, told) = state.withLockedValue { $0.close() }
    Callee.deliver(answered)
    Callee.deliver(told)
  }

  private func startsSweeping(_ s: inout BoardState, parked: Parked) -> Bool {
    guard case .parked = parked, !s.sweeping else { return false }
    s.sweeping = true
    return true
  }

  /// One timer for all timeouts and heartbeats rather than one per client: ten thousand
  /// waiters cost ten thousand dictionary entries, not ten thousand timers. It runs on an
  /// event loop, not on Swift's cooperative pool, so that a busy pool never delays a
  /// heartbeat past a client's lease; it stops when nothing waits and nothing streams.
  private func startSweeping() {
    MultiThreadedEventLoopGroup.singleton.any().scheduleRepeatedTask(
      initialDelay: Self.sweepInterval, delay: Self.sweepInterval
    ) { [weak self] task in
      guard let self, self.sweep(at: .now) else { return task.cancel() }
    }
  }

  /// Ends the long-polls whose time is up and sends the heartbeats that are due at `now`;
  /// whether anything is left to sweep.
  func sweep(at now: ContinuousClock.Instant) -> Bool {
    let (expired, beats, more) = state.withLockedValue { s in
      let (expired, beats) = s.sweep(now: now)
      return (expired, beats, s.sweeping)
    }
    Callee.deliver(expired)
    Callee.deliver(beats)
    return more
  }

  /// How late a long-poll's timeout may be answered.
  static let sweepInterval = TimeAmount.milliseconds(100)
  /// Streams hear from the server at least this often, sooner when the service's lease is
  /// short (a third of it): a client on a live stream never sees its lease run out.
  static let longestHeartbeat: Duration = .seconds(5)
}
