import CRdKafka

/// Group offsets through the consumer's own group coordinator (OffsetFetch and a
/// member-less OffsetCommit, as a consumer with manually assigned partitions does), for
/// callers that read or commit often against clusters that come and go: librdkafka's
/// Admin API path for groups (ListConsumerGroupOffsets, AlterConsumerGroupOffsets) aborts
/// the process when the coordinator's connection drops while a request is being sent
/// (confluentinc/librdkafka#5397, unfixed in the Debian package this builds against).
extension KafkaConsumer {
  /// The group's (`group.id`'s) committed offset of each partition; nil where none.
  public func committed(_ partitions: [TopicPartition], timeout: Duration) async throws -> [TopicPartition: Int64?] {
    guard !partitions.isEmpty else { return [:] }
    let handle = self.handle
    let ms = timeout.milliseconds
    return try await KafkaThreads.run {
      let list = PartitionList.make(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) })
      defer { rd_kafka_topic_partition_list_destroy(list) }
      let err = rd_kafka_committed(handle.rk, list, ms)
      guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, operation: "committed offsets") }
      var out: [TopicPartition: Int64?] = [:]
      for e in PartitionList.entries(list) {
        out[e.tp] = e.err == RD_KAFKA_RESP_ERR_NO_ERROR && e.offset >= 0 ? e.offset : nil
      }
      return out
    }
  }

  /// Commits the offsets for `group.id` without waiting for the answer (the next commit
  /// supersedes a lost one), so that a coordinator that is down never blocks the caller.
  public func commitAsync(_ offsets: [TopicPartition: Int64]) async throws {
    guard !offsets.isEmpty else { return }
    let handle = self.handle
    let entries = offsets.map { SendableEntry(tp: $0.key, value: $0.value) }
    try await KafkaThreads.run {
      let list = PartitionList.make(entries.map { ($0.tp, $0.value) })
      defer { rd_kafka_topic_partition_list_destroy(list) }
      let err = rd_kafka_commit(handle.rk, list, 1)
      guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, operation: "commit") }
    }
  }
}
