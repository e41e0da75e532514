import Foundation
import Synchronization

/// A clock for tests whose sleeps return at once and move its time forward by what was
/// asked, so that a loop that waits 60 s in production runs in microseconds; `advance`
/// moves it without sleeping. `date` is the wall time that goes with it, for decisions
/// that compare `Date`s (cooldowns, a trigger's `for`).
public final class TestClock: Clock {
  public struct Instant: InstantProtocol {
    public let offset: Duration
    public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
    public func duration(to other: Instant) -> Duration { other.offset - offset }
    public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
  }

  private let elapsed = Mutex(Duration.zero)
  public let start: Date

  /// - Parameter start: the wall time at the start; by default now, so that what a store
  ///   stamps with the real time (a failover's creation) lines up with the clock.
  public init(start: Date = Date()) { self.start = start }

  public var now: Instant { Instant(offset: elapsed.withLock { $0 }) }
  public var minimumResolution: Duration { .nanoseconds(1) }

  /// How long all sleeps and advances took together.
  public var slept: Duration { elapsed.withLock { $0 } }

  public var date: Date { start.addingTimeInterval(slept / .seconds(1)) }

  public func advance(by d: Duration) { elapsed.withLock { $0 += d } }

  public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
    try Task.checkCancellation()
    elapsed.withLock { $0 = max($0, deadline.offset) }
    await Task.yield()
  }
}
