import Foundation
import NIOPosix

/// The threads on which every blocking librdkafka call runs, so that none of them ever
/// occupies a thread of Swift's cooperative pool.
///
/// A dedicated pool (not `NIOThreadPool.singleton`) keeps Kafka calls that block until
/// their timeout from starving other users of the shared pool.
public enum KafkaThreads {
  public static let pool: NIOThreadPool = {
    let pool = NIOThreadPool(numberOfThreads: 16)
    pool.start()
    return pool
  }()

  public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await pool.runIfActive(body)
  }

  /// Fire-and-forget work that must happen but that no caller waits for, such as
  /// destroying a handle from a `deinit`. On a thread of its own: closing a consumer whose
  /// coordinator is gone blocks until librdkafka gives up on it, and a dozen of those on
  /// the pool would stall every other Kafka call (measured: the demo's traffic stopped
  /// after a regional failover with ten groups per service). Handles are long-lived, so
  /// a thread per destruction is cheap.
  public static func detach(_ body: @escaping @Sendable () -> Void) {
    Thread.detachNewThread { body() }
  }
}
