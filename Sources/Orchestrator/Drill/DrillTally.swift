import Foundation

/// What a drill's canary clients saw, record by record: which were acknowledged where and
/// when, which were read and how often, and on which of the consumer's clusters. Pure, so
/// that RPO, client follow time and offset exactness are computed the same way in a test.
public struct DrillTally: Sendable, Equatable {
  /// An acknowledged canary record: its number, the cluster that acknowledged it, when.
  public struct Ack: Sendable, Equatable {
    public let seq: Int
    public let cluster: String
    public let at: Date
  }

  public private(set) var acks: [Ack] = []
  private var acked: Set<Int> = []
  /// How often each record was read.
  public private(set) var reads: [Int: Int] = [:]
  /// Records read again, by the consumer's stint (0 on the first cluster, 1 after the first
  /// move, ...): a stint's rereads measure the translation that started it.
  public private(set) var rereadsByStint: [Int: Int] = [:]
  /// The clusters the consumer read from, in order.
  public private(set) var stints: [String] = []

  public init() {}

  public mutating func acknowledged(_ seqs: [Int], by cluster: String, at: Date) {
    for s in seqs where acked.insert(s).inserted { acks.append(Ack(seq: s, cluster: cluster, at: at)) }
  }

  /// The consumer now reads `cluster` (from the group's committed positions there).
  public mutating func consumerMoved(to cluster: String) { stints.append(cluster) }

  public mutating func read(_ seq: Int) {
    let n = reads[seq, default: 0] + 1
    reads[seq] = n
    if n > 1 { rereadsByStint[max(0, stints.count - 1), default: 0] += 1 }
  }

  public var acknowledgedCount: Int { acked.count }
  /// Acknowledged records read at least once.
  public var consumedCount: Int { acked.filter { reads[$0] != nil }.count }
  /// Acknowledged records never read: the RPO in records.
  public var lost: Int { acked.count - consumedCount }
  public var reread: Int { rereadsByStint.values.reduce(0, +) }
  /// Whether every acknowledged record has been read.
  public var caughtUp: Bool { lost == 0 }

  /// The first acknowledgement by `cluster` at or after `after`.
  public func firstAck(by cluster: String, after: Date) -> Date? {
    acks.first { $0.cluster == cluster && $0.at >= after }?.at
  }
}
