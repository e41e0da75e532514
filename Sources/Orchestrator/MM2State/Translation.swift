import Topology

/// How a committed offset on the source becomes one on the target.
public enum TranslationMode: String, Sendable, Codable, CaseIterable {
  /// MM2's own checkpoint of the group (MirrorCheckpointTask).
  case checkpoint
  /// The retained offset-sync history, applied to the group's committed offset.
  case offsetSync = "offset-sync"
  /// The target's first record at or after the source record's timestamp, minus a margin.
  case timestamp
  /// Offsets are kept by the link (offset-preserving replication).
  case identity
}

/// One group-partition's translation and where it came from.
public struct Translation: Sendable, Equatable, Codable {
  public let group: String
  public let sourceTopic: String
  public let targetTopic: String
  public let partition: Int32
  /// The committed offset translated (the next record the group would read upstream).
  public let upstreamOffset: Int64?
  /// `live` (read from the source now) or `checkpoint` (the last checkpoint's upstream offset).
  public let upstreamFrom: String
  public let translatedOffset: Int64?
  public let mode: TranslationMode
  /// The record the translation rests on, e.g. `offset-sync 1500->1420`.
  public let basis: String
  /// Worst-case number of records the group will read again on the target; nil when unknown.
  public let redeliveryBound: Int64?
  /// Why there is no translation, when there is none.
  public let error: String?

  public init(
    group: String, sourceTopic: String, targetTopic: String, partition: Int32, upstreamOffset: Int64?,
    upstreamFrom: String, translatedOffset: Int64?, mode: TranslationMode, basis: String, redeliveryBound: Int64?,
    error: String?
  ) {
    self.group = group
    self.sourceTopic = sourceTopic
    self.targetTopic = targetTopic
    self.partition = partition
    self.upstreamOffset = upstreamOffset
    self.upstreamFrom = upstreamFrom
    self.translatedOffset = translatedOffset
    self.mode = mode
    self.basis = basis
    self.redeliveryBound = redeliveryBound
    self.error = error
  }

  public var isTranslated: Bool { translatedOffset != nil }
}
