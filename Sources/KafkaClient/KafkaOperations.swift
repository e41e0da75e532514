/// The Kafka operations the orchestrator's decisions need, and nothing else: the
/// executor, the switch, translation and lag take this, so that they can be unit-tested
/// against an in-memory cluster and never create librdkafka handles of their own.
/// `KafkaClient` is the real implementation; a timeout of nil means the client's default.
public protocol KafkaOperations: Sendable {
  func describeCluster(timeout: Duration?) async throws -> ClusterDescription
  func watermarks(for partitions: [TopicPartition], timeout: Duration?) async throws -> [TopicPartition: Watermarks]
  /// nil for a partition with no record at or after the time.
  func offsetsForTimes(_ times: [TopicPartition: Int64], timeout: Duration?) async throws -> [TopicPartition: Int64?]
  /// nil for a partition the group never committed.
  func committedOffsets(group: String, partitions: [TopicPartition], timeout: Duration?) async throws
    -> [TopicPartition: Int64?]
  /// Per-partition refusals (a group with live members) are outcomes, not errors.
  func alterGroupOffsets(group: String, offsets: [TopicPartition: Int64], timeout: Duration?) async throws
    -> [TopicPartition: PartitionOutcome]
  func describeGroups(_ groups: [String], timeout: Duration?) async throws -> [GroupDescription]
  /// Records of one partition from `offset` up to (not including) `until`.
  func read(_ tp: TopicPartition, from offset: Int64, until: Int64?, maxRecords: Int, timeout: Duration?)
    async throws -> [ConsumedRecord]
  /// Produces and waits for every delivery report, in the order of `records`; throws the
  /// first failure (earlier records may be delivered).
  func produce(_ records: [ProducerRecord], timeout: Duration?) async throws -> [DeliveryReport]
}

extension KafkaOperations {
  public func describeCluster() async throws -> ClusterDescription { try await describeCluster(timeout: nil) }

  public func watermarks(for partitions: [TopicPartition]) async throws -> [TopicPartition: Watermarks] {
    try await watermarks(for: partitions, timeout: nil)
  }

  public func offsetsForTimes(_ times: [TopicPartition: Int64]) async throws -> [TopicPartition: Int64?] {
    try await offsetsForTimes(times, timeout: nil)
  }

  public func committedOffsets(group: String, partitions: [TopicPartition]) async throws -> [TopicPartition: Int64?] {
    try await committedOffsets(group: group, partitions: partitions, timeout: nil)
  }

  public func alterGroupOffsets(group: String, offsets: [TopicPartition: Int64]) async throws
    -> [TopicPartition: PartitionOutcome]
  {
    try await alterGroupOffsets(group: group, offsets: offsets, timeout: nil)
  }

  public func read(_ tp: TopicPartition, from offset: Int64, until: Int64?, timeout: Duration?) async throws
    -> [ConsumedRecord]
  {
    try await read(tp, from: offset, until: until, maxRecords: 100_000, timeout: timeout)
  }
}

extension KafkaClient: KafkaOperations {}
