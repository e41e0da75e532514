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

/// What a translation rests on, as `Translation.basis` writes it. The usual one, an MM2
/// checkpoint, is kept as its numbers and written out when read: formatting a million of
/// them was a tenth of translating them, each in a string of its own on the heap.
public struct TranslationBasis: Sendable, Equatable, CustomStringConvertible {
  private enum Storage: Sendable {
    case checkpoint(upstream: Int64, downstream: Int64, recordTimestamp: Int64)
    case text(String)
  }
  private let storage: Storage

  public init(_ text: String) { storage = .text(text) }

  static func checkpoint(upstream: Int64, downstream: Int64, recordTimestamp: Int64) -> TranslationBasis {
    TranslationBasis(storage: .checkpoint(upstream: upstream, downstream: downstream, recordTimestamp: recordTimestamp))
  }

  private init(storage: Storage) { self.storage = storage }

  public var description: String {
    switch storage {
    case .checkpoint(let upstream, let downstream, let at): "checkpoint \(upstream)->\(downstream) at \(at)"
    case .text(let text): text
    }
  }

  /// The same words are the same basis, however kept.
  public static func == (a: TranslationBasis, b: TranslationBasis) -> Bool {
    switch (a.storage, b.storage) {
    case (.checkpoint(let u1, let d1, let t1), .checkpoint(let u2, let d2, let t2)): u1 == u2 && d1 == d2 && t1 == t2
    case (.text(let x), .text(let y)): x == y
    default: a.description == b.description
    }
  }
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
  let basisRecord: TranslationBasis
  /// Worst-case number of records the group will read again on the target; nil when unknown.
  public let redeliveryBound: Int64?
  /// Why there is no translation, when there is none.
  public let error: String?

  /// The record the translation rests on, e.g. `offset-sync 1500->1420`.
  public var basis: String { basisRecord.description }

  public init(
    group: String, sourceTopic: String, targetTopic: String, partition: Int32, upstreamOffset: Int64?,
    upstreamFrom: String, translatedOffset: Int64?, mode: TranslationMode, basis: String, redeliveryBound: Int64?,
    error: String?
  ) {
    self.init(
      group: group, sourceTopic: sourceTopic, targetTopic: targetTopic, partition: partition,
      upstreamOffset: upstreamOffset, upstreamFrom: upstreamFrom, translatedOffset: translatedOffset, mode: mode,
      basis: TranslationBasis(basis), redeliveryBound: redeliveryBound, error: error)
  }

  init(
    group: String, sourceTopic: String, targetTopic: String, partition: Int32, upstreamOffset: Int64?,
    upstreamFrom: String, translatedOffset: Int64?, mode: TranslationMode, basis: TranslationBasis,
    redeliveryBound: Int64?, error: String?
  ) {
    self.group = group
    self.sourceTopic = sourceTopic
    self.targetTopic = targetTopic
    self.partition = partition
    self.upstreamOffset = upstreamOffset
    self.upstreamFrom = upstreamFrom
    self.translatedOffset = translatedOffset
    self.mode = mode
    self.basisRecord = basis
    self.redeliveryBound = redeliveryBound
    self.error = error
  }

  public var isTranslated: Bool { translatedOffset != nil }

  // The basis is written as its words, as it always was.
  private enum CodingKeys: String, CodingKey {
    case group, sourceTopic, targetTopic, partition, upstreamOffset, upstreamFrom, translatedOffset, mode, basis
    case redeliveryBound, error
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      group: try c.decode(String.self, forKey: .group), sourceTopic: try c.decode(String.self, forKey: .sourceTopic),
      targetTopic: try c.decode(String.self, forKey: .targetTopic),
      partition: try c.decode(Int32.self, forKey: .partition),
      upstreamOffset: try c.decodeIfPresent(Int64.self, forKey: .upstreamOffset),
      upstreamFrom: try c.decode(String.self, forKey: .upstreamFrom),
      translatedOffset: try c.decodeIfPresent(Int64.self, forKey: .translatedOffset),
      mode: try c.decode(TranslationMode.self, forKey: .mode),
      basis: TranslationBasis(try c.decode(String.self, forKey: .basis)),
      redeliveryBound: try c.decodeIfPresent(Int64.self, forKey: .redeliveryBound),
      error: try c.decodeIfPresent(String.self, forKey: .error))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(group, forKey: .group)
    try c.encode(sourceTopic, forKey: .sourceTopic)
    try c.encode(targetTopic, forKey: .targetTopic)
    try c.encode(partition, forKey: .partition)
    try c.encodeIfPresent(upstreamOffset, forKey: .upstreamOffset)
    try c.encode(upstreamFrom, forKey: .upstreamFrom)
    try c.encodeIfPresent(translatedOffset, forKey: .translatedOffset)
    try c.encode(mode, forKey: .mode)
    try c.encode(basis, forKey: .basis)
    try c.encodeIfPresent(redeliveryBound, forKey: .redeliveryBound)
    try c.encodeIfPresent(error, forKey: .error)
  }
}
