import Foundation

/// What a flow's replication canary has measured since this instance started.
public struct CanaryState: Sendable, Codable, Equatable {
  public let flow: String
  /// Where it writes on the source, and where the copies arrive on the target.
  public let topic: String
  public let copyTopic: String
  public var sent: Int = 0
  public var arrived: Int = 0
  /// Not arrived within the timeout (one that arrives later is still counted here).
  public var lost: Int = 0
  /// Replication latency of the newest arrival, and the median of the last 60.
  public var lastLatencySeconds: Double? = nil
  public var medianLatencySeconds: Double? = nil
  public var lastArrivalAt: Date? = nil
  /// The oldest canary record on its way, in seconds; 0 when none is.
  public var oldestPendingSeconds: Double = 0
  /// Why the last one could not be written or read, if it could not.
  public var lastError: String? = nil

  public init(flow: String, topic: String, copyTopic: String) {
    self.flow = flow
    self.topic = topic
    self.copyTopic = copyTopic
  }
}
