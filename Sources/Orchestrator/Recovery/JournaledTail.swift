import Foundation

/// What an unplanned failover knew, per partition of the service's topics on the cluster it
/// left, of the records that had not reached the target: journaled with the failover, so
/// that the tail can be bounded while the old primary is gone and measured exactly once it
/// answers again.
public struct JournaledTail: Sendable, Codable, Equatable {
  /// The topic on the cluster left (the old primary).
  public let topic: String
  public let partition: Int32
  /// The old primary's high watermark as last measured before the failover, and when.
  public let sourceHighWatermark: Int64?
  public let sourceMeasuredAt: Date?
  /// The newest upstream offset an offset-sync says was replicated.
  public let syncedUpstream: Int64?
  /// The end of the target's copy of the partition at the failover, when it answered.
  public let copyEnd: Int64?

  public init(
    topic: String, partition: Int32, sourceHighWatermark: Int64?, sourceMeasuredAt: Date?, syncedUpstream: Int64?,
    copyEnd: Int64?
  ) {
    self.topic = topic
    self.partition = partition
    self.sourceHighWatermark = sourceHighWatermark
    self.sourceMeasuredAt = sourceMeasuredAt
    self.syncedUpstream = syncedUpstream
    self.copyEnd = copyEnd
  }

  /// At most this many records were acknowledged by the old primary and never replicated,
  /// as far as the journal knows (the records after the newest sync, up to the last
  /// measured end): what the old primary holds beyond that was written after the measurement.
  public var boundFromJournal: Int64? {
    sourceHighWatermark.map { max(0, $0 - (syncedUpstream.map { $0 + 1 } ?? 0)) }
  }
}
