import KafkaClient
import Orchestrator
import Synchronization

/// An in-memory Kafka cluster for unit tests of decisions: topics with partitions and
/// watermarks, committed offsets per group, live members per group, and a switch that
/// makes every call fail as an unreachable cluster does. Not a protocol implementation:
/// integration tests use librdkafka's mock clusters for that.
public final class InMemoryKafkaCluster: KafkaOperations {
  public struct State: Sendable {
    public var partitions: [String: Int32] = [:]
    public var watermarks: [TopicPartition: Watermarks] = [:]
    public var committed: [String: [TopicPartition: Int64]] = [:]
    public var members: [String: Int] = [:]
    /// Records by partition, for `read`; `append` keeps the watermarks in step.
    public var records: [TopicPartition: [ConsumedRecord]] = [:]
    /// When set, this many more records are produced, then every produce fails (7: REQUEST_TIMED_OUT).
    public var failProducesAfter: Int? = nil
    public var down = false
    /// Every `alterGroupOffsets` call, in order.
    public var alterations: [(group: String, offsets: [TopicPartition: Int64])] = []
    public var calls = 0
  }

  public let name: String
  public let state = Mutex(State())

  public init(name: String) { self.name = name }

  /// Sets a topic's partitions with their high watermarks (low 0).
  public func topic(_ topic: String, highs: [Int64]) {
    state.withLock { s in
      s.partitions[topic] = Int32(highs.count)
      for (p, h) in highs.enumerated() { s.watermarks[TopicPartition(topic, Int32(p))] = Watermarks(low: 0, high: h) }
    }
  }

  public func setDown(_ down: Bool) { state.withLock { $0.down = down } }

  /// Appends records (`key`, `value`, `timestamp`) to a partition of an existing topic, at
  /// its high watermark, which moves on.
  public func append(_ tp: TopicPartition, _ records: [(key: String, value: String, timestamp: Int64)]) {
    state.withLock { s in
      var high = s.watermarks[tp]?.high ?? 0
      for r in records {
        s.records[tp, default: []].append(
          ConsumedRecord(
            topic: tp.topic, partition: tp.partition, offset: high, timestamp: r.timestamp, key: Array(r.key.utf8),
            value: Array(r.value.utf8), headers: []))
        high += 1
      }
      s.watermarks[tp] = Watermarks(low: s.watermarks[tp]?.low ?? 0, high: high)
    }
  }

  /// Retention: the records before `offset` are gone.
  public func truncate(_ tp: TopicPartition, before offset: Int64) {
    state.withLock { s in
      s.records[tp]?.removeAll { $0.offset < offset }
      s.watermarks[tp] = Watermarks(low: offset, high: s.watermarks[tp]?.high ?? offset)
    }
  }

  private func check(_ operation: String) throws {
    let down = state.withLock { s in
      s.calls += 1
      return s.down
    }
    // -187: librdkafka's all-brokers-down, what a dead region answers.
    if down { throw KafkaError(code: -187, message: "\(name) is down", operation: operation) }
  }

  public func describeCluster(timeout: Duration?) async throws -> ClusterDescription {
    try check("describe cluster")
    let topics = state.withLock { s in
      s.partitions.sorted { $0.key < $1.key }.map { name, count in
        TopicInfo(
          name: name,
          partitions: (0..<count).map { PartitionInfo(id: $0, leader: 1, replicas: [1], isr: [1], error: nil) },
          error: nil)
      }
    }
    return ClusterDescription(
      brokers: [BrokerInfo(id: 1, host: "\(name).test", port: 9092)], controllerId: 1, respondingBrokerId: 1,
      topics: topics)
  }

  public func watermarks(for partitions: [TopicPartition], timeout: Duration?) async throws
    -> [TopicPartition: Watermarks]
  {
    try check("watermarks")
    return state.withLock { s in s.watermarks.filter { partitions.contains($0.key) } }
  }

  public func offsetsForTimes(_ times: [TopicPartition: Int64], timeout: Duration?) async throws
    -> [TopicPartition: Int64?]
  {
    try check("offsets for times")
    return times.mapValues { _ in nil }
  }

  public func committedOffsets(group: String, partitions: [TopicPartition], timeout: Duration?) async throws
    -> [TopicPartition: Int64?]
  {
    try check("committed offsets")
    let committed = state.withLock { $0.committed[group] ?? [:] }
    var out: [TopicPartition: Int64?] = [:]
    for tp in partitions { out[tp] = .some(committed[tp]) }
    return out
  }

  public func alterGroupOffsets(group: String, offsets: [TopicPartition: Int64], timeout: Duration?) async throws
    -> [TopicPartition: PartitionOutcome]
  {
    try check("alter offsets")
    return state.withLock { s in
      s.alterations.append((group, offsets))
      if (s.members[group] ?? 0) > 0 {
        // 68: NON_EMPTY_GROUP, Kafka's refusal for a group with live members.
        return offsets.mapValues { _ in .failed(KafkaError(code: 68, operation: "alter offsets of \(group)")) }
      }
      var out: [TopicPartition: PartitionOutcome] = [:]
      for (tp, o) in offsets {
        // 3: UNKNOWN_TOPIC_OR_PARTITION, what a broker answers for a partition it does not have.
        guard tp.partition < s.partitions[tp.topic] ?? 0 else {
          out[tp] = .failed(KafkaError(code: 3, operation: "alter offsets of \(group)"))
          continue
        }
        s.committed[group, default: [:]][tp] = o
        out[tp] = .ok
      }
      return out
    }
  }

  public func describeGroups(_ groups: [String], timeout: Duration?) async throws -> [GroupDescription] {
    try check("describe groups")
    return state.withLock { s in
      groups.map { g in
        let n = s.members[g] ?? 0
        return GroupDescription(
          groupId: g, state: n > 0 ? "Stable" : "Empty",
          members: (0..<n).map { GroupMember(memberId: "m\($0)", clientId: "c", host: "h", assignment: []) },
          error: nil)
      }
    }
  }

  /// Appends each record to its partition (partition 0 when none is given); `failProducesAfter`
  /// records later, the rest fail as a broker's error would (what was appended stays).
  public func produce(_ records: [ProducerRecord], timeout: Duration?) async throws -> [DeliveryReport] {
    try check("produce")
    return try state.withLock { s in
      var reports: [DeliveryReport] = []
      for r in records {
        let tp = TopicPartition(r.topic, r.partition ?? 0)
        guard tp.partition < s.partitions[r.topic] ?? 0 else {
          throw KafkaError(code: 3, operation: "produce to \(r.topic)")
        }
        if let left = s.failProducesAfter {
          guard left > 0 else { throw KafkaError(code: 7, operation: "produce to \(r.topic)") }
          s.failProducesAfter = left - 1
        }
        let offset = s.watermarks[tp]?.high ?? 0
        s.records[tp, default: []].append(
          ConsumedRecord(
            topic: tp.topic, partition: tp.partition, offset: offset, timestamp: r.timestamp, key: r.key,
            value: r.value,
            headers: r.headers))
        s.watermarks[tp] = Watermarks(low: s.watermarks[tp]?.low ?? 0, high: offset + 1)
        reports.append(DeliveryReport(topic: tp.topic, partition: tp.partition, offset: offset))
      }
      return reports
    }
  }

  public func read(_ tp: TopicPartition, from offset: Int64, until: Int64?, maxRecords: Int, timeout: Duration?)
    async throws -> [ConsumedRecord]
  {
    try check("read")
    return state.withLock { s in
      Array(
        (s.records[tp] ?? []).filter { $0.offset >= offset && $0.offset < (until ?? Int64.max) }.prefix(maxRecords))
    }
  }
}

/// The clusters of a test topology, each in memory.
public final class InMemoryKafkaClusters: KafkaClusters {
  public let clusters: [String: InMemoryKafkaCluster]

  public init(_ names: [String]) {
    clusters = Dictionary(uniqueKeysWithValues: names.map { ($0, InMemoryKafkaCluster(name: $0)) })
  }

  public subscript(_ name: String) -> InMemoryKafkaCluster { clusters[name]! }

  public func client(_ cluster: String) throws -> any KafkaOperations {
    guard let c = clusters[cluster] else { throw FailoverError(.unknownCluster, "no cluster \(cluster)") }
    return c
  }
}
