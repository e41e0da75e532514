import NIOConcurrencyHelpers

/// The discovery documents being served, and the long-polls waiting for them to change.
///
/// Reads take a lock for a dictionary lookup and never touch SQLite, so discovery stays
/// cheap under thousands of pollers. A publish wakes the waiters it concerns directly.
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

  private struct Waiter {
    let condition: Condition
    let deadline: ContinuousClock.Instant
    let continuation: CheckedContinuation<PublishedDiscovery?, Never>
  }

  private struct State {
    var published: [String: PublishedDiscovery] = [:]
    var waiters: [String: [UInt64: Waiter]] = [:]
    var waiting = 0
    var nextID: UInt64 = 0
    var closed = false
    /// Waits given an id but not yet registered, and those of them whose timeout or
    /// cancellation came first.
    var unregistered: Set<UInt64> = []
    var expired: Set<UInt64> = []
    /// Whether the task that ends timed-out waits is running; it stops when none wait.
    var sweeping = false
  }

  private let state = NIOLockedValueBox(State())

  public init() {}

  public func current(_ service: String) -> PublishedDiscovery? {
    state.withLockedValue { $0.published[service] }
  }

  public var services: [String] { state.withLockedValue { $0.published.keys.sorted() } }

  /// Long-polls waiting now.
  public var waiting: Int { state.withLockedValue { $0.waiting } }

  public func publish(_ p: PublishedDiscovery) {
    let woken: [(Waiter, PublishedDiscovery)] = state.withLockedValue { s in
      s.published[p.document.service] = p
      guard let ws = s.waiters[p.document.service] else { return [] }
      var woken: [(Waiter, PublishedDiscovery)] = []
      for (id, w) in ws where w.condition.isMet(by: p) {
        s.waiters[p.document.service]?[id] = nil
        s.waiting -= 1
        woken.append((w, p))
      }
      return woken
    }
    for (w, p) in woken { w.continuation.resume(returning: p) }
  }

  /// Suspends until the service's document meets `condition` (returned) or `timeout`
  /// passes, the task is cancelled, or the board closes (nil).
  public func wait(_ service: String, for condition: Condition, timeout: Duration) async -> PublishedDiscovery? {
    let id = state.withLockedValue { s -> UInt64 in
      s.nextID += 1
      s.unregistered.insert(s.nextID)
      return s.nextID
    }
    let deadline = ContinuousClock.now + timeout
    return await withTaskCancellationHandler {
      await withCheckedContinuation { (c: CheckedContinuation<PublishedDiscovery?, Never>) in
        let immediate: PublishedDiscovery?? = state.withLockedValue { s in
          s.unregistered.remove(id)
          if s.expired.remove(id) != nil || s.closed { return .some(nil) }
          if let p = s.published[service], condition.isMet(by: p) { return .some(p) }
          if timeout <= .zero { return .some(nil) }
          s.waiters[service, default: [:]][id] = Waiter(condition: condition, deadline: deadline, continuation: c)
          s.waiting += 1
          if !s.sweeping {
            s.sweeping = true
            startSweeping()
          }
          return .none
        }
        if let answer = immediate { c.resume(returning: answer) }
      }
    } onCancel: {
      self.remove(service, id)
    }
  }

  /// Answers every waiting long-poll (nil) and makes later waits return at once: the
  /// server can then finish its in-flight requests and stop.
  public func close() {
    let all: [Waiter] = state.withLockedValue { s in
      s.closed = true
      let all = s.waiters.values.flatMap(\.values)
      s.waiters = [:]
      s.waiting = 0
      return all
    }
    for w in all { w.continuation.resume(returning: nil) }
  }

  /// One task for all timeouts rather than a sleeping task per long-poll: ten thousand
  /// waiters cost ten thousand dictionary entries, not ten thousand timers.
  private func startSweeping() {
    Task {
      while true {
        try? await Task.sleep(for: Self.sweepInterval)
        let now = ContinuousClock.now
        let (expired, more): ([Waiter], Bool) = state.withLockedValue { s in
          var expired: [Waiter] = []
          for (service, ws) in s.waiters {
            for (id, w) in ws where w.deadline <= now {
              s.waiters[service]?[id] = nil
              expired.append(w)
            }
          }
          s.waiting -= expired.count
          if s.waiting == 0 { s.sweeping = false }
          return (expired, s.sweeping)
        }
        for w in expired { w.continuation.resume(returning: nil) }
        if !more { return }
      }
    }
  }

  /// How late a long-poll's timeout may be answered.
  static let sweepInterval: Duration = .milliseconds(100)

  private func remove(_ service: String, _ id: UInt64) {
    let w: Waiter? = state.withLockedValue { s in
      guard let w = s.waiters[service]?.removeValue(forKey: id) else {
        if s.unregistered.remove(id) != nil { s.expired.insert(id) }
        return nil
      }
      s.waiting -= 1
      return w
    }
    w?.continuation.resume(returning: nil)
  }
}
