import Foundation
import KafkaClient

/// What a drill's canary clients saw, record by record: which were acknowledged where and
/// when, which were read and how often, and on which of the consumer's clusters. Pure, so
/// that RPO, client follow time and offset exactness are computed the same way in a test.
public struct DrillTally: Sendable {
  /// An acknowledged canary record: its number, the cluster that acknowledged it, when.
  public struct Ack: Sendable, Equatable {
    public let seq: Int
    public let cluster: String
    public let at: Date
    /// Where the broker stored it (`topic[partition]@offset`), when it said.
    public var place: String = ""
  }

  public private(set) var acks: [Ack] = []
  private var acked: Set<Int> = []
  /// How often each record was read.
  public private(set) var reads: [Int: Int] = [:]
  /// Records read again, by the consumer's stint (0 on the first cluster, 1 after the first
  /// move, ...): a stint's rereads measure the translation that started it.
  public private(set) var rereadsByStint: [Int: Int] = [:]
  /// The first records read again, with the cluster they were read again on.
  public private(set) var rereadSample: [String] = []
  /// The clusters the consumer read from, in order.
  public private(set) var stints: [String] = []

  public init() {}

  public mutating func acknowledged(_ seqs: [Int], by cluster: String, at: Date, places: [String] = []) {
    for (i, s) in seqs.enumerated() where acked.insert(s).inserted {
      acks.append(Ack(seq: s, cluster: cluster, at: at, place: i < places.count ? places[i] : ""))
    }
  }

  /// Where the consumer started on each cluster it read, in order (`east: orders[4]@2, ...`).
  public private(set) var stintStarts: [String] = []

  /// The consumer now reads `cluster` from `starts` (the group's committed positions there).
  public mutating func consumerMoved(
    to cluster: String, at when: Date = Date(), starts: [TopicPartition: Int64] = [:]
  ) {
    stints.append(cluster)
    stintStarts.append(
      "\(cluster) at \(when.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))): \(Self.describe(starts))"
    )
  }

  /// `orders[4]@3`: a record's place, or a position, as the report writes it.
  public static func place(_ tp: TopicPartition, _ offset: Int64) -> String { "\(tp.topic)[\(tp.partition)]@\(offset)" }

  /// Positions in topic and partition order, as the report writes them.
  public static func describe(_ positions: [TopicPartition: Int64]) -> String {
    positions.sorted { $0.key < $1.key }.map { place($0.key, $0.value) }.joined(separator: ", ")
  }

  /// The canary consumer's errors on each cluster: how often it could not start there or
  /// read there, and the last error.
  public private(set) var consumerFailures: [String: (count: Int, last: String)] = [:]

  public mutating func consumerFailed(on cluster: String, _ why: String) {
    let n = (consumerFailures[cluster]?.count ?? 0) + 1
    consumerFailures[cluster] = (n, why)
  }

  /// The consumer's errors, one line per cluster.
  public var consumerFailureLines: [String] {
    consumerFailures.keys.sorted().map { c in
      let f = consumerFailures[c]!
      return "\(c): \(f.count) errors, the last: \(f.last)"
    }
  }

  /// Records of any kind the consumer read in each stint, and where it had read to last
  /// (`orders[4]@3, ...`): says whether a consumer that missed a record was reading at all.
  public private(set) var recordsByStint: [Int: Int] = [:]
  public private(set) var readTo: [TopicPartition: Int64] = [:]

  public mutating func consumerRead(_ records: Int, to positions: [TopicPartition: Int64]) {
    recordsByStint[max(0, stints.count - 1), default: 0] += records
    readTo = positions
  }

  /// Each stint's start, with how many records it read, and the last where it read to.
  public var stintLines: [String] {
    stintStarts.enumerated().map { i, line in
      line + "; \(recordsByStint[i] ?? 0) records read"
        + (i == stintStarts.count - 1 && !readTo.isEmpty ? ", to \(Self.describe(readTo.filter { $0.value > 0 }))" : "")
    }
  }

  /// Where and when each record was first read (`topic[partition]@offset on cluster`).
  private var firstRead: [Int: (place: String, at: Date)] = [:]

  /// A record read again: in which stint, and when it had first been read.
  public struct Reread: Sendable, Equatable {
    public let seq: Int
    public let stint: Int
    public let firstReadAt: Date
  }
  public private(set) var rereads: [Reread] = []

  /// A canary record read at `when`; `place` says where (`topic[partition]@offset`).
  public mutating func read(_ seq: Int, at place: String = "", when: Date = Date()) {
    let n = reads[seq, default: 0] + 1
    reads[seq] = n
    let here = "\(place) on \(stints.last ?? "?")"
    if n == 1 { firstRead[seq] = (here, when) }
    if n > 1 {
      let stint = max(0, stints.count - 1)
      rereadsByStint[stint, default: 0] += 1
      rereads.append(Reread(seq: seq, stint: stint, firstReadAt: firstRead[seq]?.at ?? when))
      if rereadSample.count < 10 {
        rereadSample.append("record \(seq) read again at \(here), first at \(firstRead[seq]?.place ?? "?")")
      }
    }
  }

  public var acknowledgedCount: Int { acked.count }
  /// Acknowledged records read at least once.
  public var consumedCount: Int { acked.filter { reads[$0] != nil }.count }
  /// Acknowledged records never read: the RPO in records.
  public var lost: Int { acked.count - consumedCount }
  public var reread: Int { rereadsByStint.values.reduce(0, +) }

  /// Records read again in `stint` that had been read before `switched`: the positions the
  /// switch translated were behind what the group had consumed. A record first read after
  /// the switch (a consumer still on the old cluster reads copies of the new cluster's first
  /// records) is a duplicate of following discovery late, not of the translation.
  public func rereadBefore(_ switched: Date, stint: Int) -> Int {
    rereads.filter { $0.stint == stint && $0.firstReadAt < switched }.count
  }
  /// The first `limit` acknowledged records never read, oldest first.
  public func unread(limit: Int = 10) -> [Ack] { Array(acks.lazy.filter { reads[$0.seq] == nil }.prefix(limit)) }

  /// Whether every acknowledged record has been read.
  public var caughtUp: Bool { lost == 0 }

  /// The first acknowledgement by `cluster` at or after `after`.
  public func firstAck(by cluster: String, after: Date) -> Date? {
    acks.first { $0.cluster == cluster && $0.at >= after }?.at
  }
}
