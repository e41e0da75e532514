import Foundation
import KafkaClient
import Topology

/// One partition's unreplicated tail on the old primary: the offsets written there that
/// have no copy on the target.
public struct DivergentPartition: Sendable, Codable, Equatable {
  /// How the start of the tail was found.
  public enum Basis: String, Sendable, Codable {
    /// The target copy's last record was found on the old primary: the tail starts right
    /// after it. Exact.
    case matched
    /// The copy is empty (or gone): nothing of the partition was replicated.
    case nothingReplicated = "nothing-replicated"
    /// The copy's last record was not found where the offset-syncs put it: the start is
    /// one past the synced position plus what the copy holds beyond it.
    case estimated
    /// The old primary does not answer: the bound the failover journaled.
    case journaled
  }

  public let topic: String
  public let partition: Int32
  /// The copy on the target this tail is missing from (`east.orders`).
  public let copyTopic: String
  /// `[tailStart, tailEnd)` on the old primary.
  public let tailStart: Int64
  public let tailEnd: Int64
  public let records: Int64
  /// Records of the tail the old primary no longer holds (retention moved its log start
  /// past them): lost for good.
  public let expired: Int64
  /// Records written to the old primary after the failover's last measurement of it (a
  /// producer that did not honour the fence, or writes between the measurement and the
  /// failure); counted in `records`.
  public let writtenAfterFailover: Int64?
  public let firstTimestamp: Int64?
  public let lastTimestamp: Int64?
  /// A few keys of the tail, as text (hex when not UTF-8), for an operator to recognise it.
  public let sampleKeys: [String]
  public let basis: Basis
  /// The copy's end when the tail was measured: the copy of `tailStart - 1` is its last
  /// record when the basis is exact. A failback compares the groups' positions on the copy
  /// with it, not with the copy's end then (replication resumed copies the tail after it).
  public var copyEnd: Int64? = nil

  /// Whether `tailStart` is known exactly (the copy's last record found, or no copy).
  public var isExact: Bool { basis == .matched || basis == .nothingReplicated }

  public init(
    topic: String, partition: Int32, copyTopic: String, tailStart: Int64, tailEnd: Int64, records: Int64,
    expired: Int64, writtenAfterFailover: Int64?, firstTimestamp: Int64?, lastTimestamp: Int64?,
    sampleKeys: [String], basis: Basis
  ) {
    self.topic = topic
    self.partition = partition
    self.copyTopic = copyTopic
    self.tailStart = tailStart
    self.tailEnd = tailEnd
    self.records = records
    self.expired = expired
    self.writtenAfterFailover = writtenAfterFailover
    self.firstTimestamp = firstTimestamp
    self.lastTimestamp = lastTimestamp
    self.sampleKeys = sampleKeys
    self.basis = basis
  }
}

/// Measures the tail of one flow's partitions once the old primary answers: reads the
/// target copy's last record and finds it on the old primary, from where the offset-syncs
/// say it must be (MM2 copies records in order and never invents one, so the copy's last
/// record comes from at or after the synced position plus the records copied past it).
public struct TailMeasurement: Sendable {
  public let flow: Flow
  public let topics: [String]
  /// How far past the expected position the copy's last record is looked for (records
  /// MM2 filtered out); beyond it the start is estimated.
  public var searchLimit: Int64 = 10_000

  public init(flow: Flow, topics: [String]) {
    self.flow = flow
    self.topics = topics
  }

  public func measure(
    source: any KafkaOperations, target: any KafkaOperations, histories: [TopicPartition: OffsetSyncHistory],
    journaled: [JournaledTail]
  ) async throws -> [DivergentPartition] {
    let described = try await source.describeCluster(timeout: .seconds(5))
    let partitions = described.topics.filter { topics.contains($0.name) && $0.error == nil }
      .flatMap { t in t.partitions.map { TopicPartition(t.name, $0.id) } }.sorted()
    guard !partitions.isEmpty else { return [] }
    let marks = try await source.watermarks(for: partitions, timeout: .seconds(5))
    let copies = partitions.map { copy(of: $0) }
    // Topic by topic: a copy topic that does not exist (its topic was created on the source
    // after the failover) has no end, and must not hide the others'.
    var copyMarks: [TopicPartition: Watermarks] = [:]
    for (_, tps) in Dictionary(grouping: copies, by: \.topic) {
      if let m = try? await target.watermarks(for: tps, timeout: .seconds(5)) { copyMarks.merge(m) { a, _ in a } }
    }
    let journal = Dictionary(journaled.map { (TopicPartition($0.topic, $0.partition), $0) }) { a, _ in a }
    var out: [DivergentPartition] = []
    for (tp, copyTP) in zip(partitions, copies) {
      guard let m = marks[tp] else { continue }
      let (start, basis) = try await tailStart(
        tp, low: m.low, high: m.high, copy: copyTP, copyMarks: copyMarks[copyTP], history: histories[tp],
        source: source, target: target)
      let from = max(start, m.low)
      let sample =
        from < m.high ? try await source.read(tp, from: from, until: min(m.high, from + 5), timeout: .seconds(5)) : []
      let last = m.high > from ? try await source.read(tp, from: m.high - 1, until: m.high, timeout: .seconds(5)) : []
      let after = journal[tp]?.sourceHighWatermark.map { max(0, m.high - max($0, start)) }
      var measured = DivergentPartition(
        topic: tp.topic, partition: tp.partition, copyTopic: copyTP.topic, tailStart: start, tailEnd: m.high,
        records: max(0, m.high - start), expired: max(0, min(m.low, m.high) - start), writtenAfterFailover: after,
        firstTimestamp: sample.first?.timestamp, lastTimestamp: last.first?.timestamp,
        sampleKeys: sample.compactMap(\.key).map(Self.text), basis: basis)
      measured.copyEnd = copyMarks[copyTP]?.high ?? (basis == .nothingReplicated ? 0 : nil)
      out.append(measured)
    }
    // A partition the failover knew of that the old primary no longer has (its topic
    // deleted): whatever it held of the tail is gone.
    for t in journaled where !partitions.contains(TopicPartition(t.topic, t.partition)) {
      let gone = Self.bound(flow, [t])[0]
      out.append(
        DivergentPartition(
          topic: t.topic, partition: t.partition, copyTopic: gone.copyTopic, tailStart: gone.tailStart,
          tailEnd: gone.tailEnd, records: gone.records, expired: gone.records, writtenAfterFailover: nil,
          firstTimestamp: nil, lastTimestamp: nil, sampleKeys: [], basis: .journaled))
    }
    return out
  }

  /// The same from the journal alone, while the old primary does not answer.
  public static func bound(_ flow: Flow, _ journaled: [JournaledTail]) -> [DivergentPartition] {
    journaled.map { t in
      let start = t.syncedUpstream.map { $0 + 1 } ?? 0
      let end = max(start, t.sourceHighWatermark ?? start)
      return DivergentPartition(
        topic: t.topic, partition: t.partition, copyTopic: flow.naming.checkpointTopic(forUpstream: t.topic),
        tailStart: start, tailEnd: end, records: end - start, expired: 0, writtenAfterFailover: nil,
        firstTimestamp: nil, lastTimestamp: nil, sampleKeys: [], basis: .journaled)
    }
  }

  func copy(of tp: TopicPartition) -> TopicPartition {
    TopicPartition(flow.naming.checkpointTopic(forUpstream: tp.topic), tp.partition)
  }

  /// Where the records with no copy begin on the old primary.
  private func tailStart(
    _ tp: TopicPartition, low: Int64, high: Int64, copy: TopicPartition, copyMarks: Watermarks?,
    history: OffsetSyncHistory?, source: any KafkaOperations, target: any KafkaOperations
  ) async throws -> (Int64, DivergentPartition.Basis) {
    guard let copyMarks, copyMarks.high > copyMarks.low else { return (low, .nothingReplicated) }
    let lastCopy = copyMarks.high - 1
    guard let copied = try await target.read(copy, from: lastCopy, until: copyMarks.high, timeout: .seconds(5)).first
    else { return (low, .nothingReplicated) }
    // The newest sync at or below the copy's end, and how many copies lie past it.
    let sync = history?.syncs.last { $0.downstream <= lastCopy }
    let expected = sync.map { $0.upstream + (lastCopy - $0.downstream) } ?? lastCopy
    // Retention took the record already: the tail starts after where it must have been,
    // and what of it lies before the log start is gone.
    if expected < low { return (expected + 1, .estimated) }
    var offset = expected
    let limit = min(high, offset + searchLimit)
    while offset < limit {
      let batch = try await source.read(tp, from: offset, until: min(limit, offset + 500), timeout: .seconds(10))
      guard !batch.isEmpty else { break }
      if let match = batch.first(where: { Self.same($0, copied) }) { return (match.offset + 1, .matched) }
      offset = batch.last!.offset + 1
    }
    return (min(high, max(expected + 1, low)), .estimated)
  }

  /// MM2 copies key, value, headers and timestamp: a copy is its original in all three
  /// that the orchestrator compares (headers may gain MM2's own).
  static func same(_ a: ConsumedRecord, _ b: ConsumedRecord) -> Bool {
    a.timestamp == b.timestamp && a.key == b.key && a.value == b.value
  }

  /// A key as text when it is printable UTF-8, else as hex.
  static func text(_ bytes: [UInt8]) -> String {
    if let s = String(validating: bytes, as: UTF8.self),
      !s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    {
      return s
    }
    return bytes.map { String(format: "%02x", $0) }.joined()
  }
}
