import CRdKafka

extension KafkaClient {
  /// Low and high watermarks of many partitions in two batched ListOffsets round trips
  /// (one per leader), rather than one request per partition.
  public func watermarks(
    for partitions: [TopicPartition], timeout: Duration? = nil
  ) async throws -> [TopicPartition: Watermarks] {
    guard !partitions.isEmpty else { return [:] }
    let deadline = ContinuousClock.now + (timeout ?? defaultTimeout)
    // Kafka's ListOffsets takes -2 for the earliest and -1 for the latest offset.
    let low = try await listOffsets(partitions.map { ($0, -2) }, deadline: deadline, operation: "watermarks")
    let high = try await listOffsets(partitions.map { ($0, -1) }, deadline: deadline, operation: "watermarks")
    var result: [TopicPartition: Watermarks] = [:]
    for tp in partitions {
      guard let l = low[tp], let h = high[tp] else { continue }
      result[tp] = Watermarks(low: l, high: h)
    }
    return result
  }

  /// The first offset whose timestamp is at or after each given time (milliseconds since
  /// the epoch); nil for a partition with no such record.
  public func offsetsForTimes(
    _ times: [TopicPartition: Int64], timeout: Duration? = nil
  ) async throws -> [TopicPartition: Int64?] {
    guard !times.isEmpty else { return [:] }
    let deadline = ContinuousClock.now + (timeout ?? defaultTimeout)
    let found = try await listOffsets(
      times.map { ($0.key, $0.value) }, deadline: deadline, operation: "offsets for times")
    var result: [TopicPartition: Int64?] = [:]
    for tp in times.keys { result[tp] = found[tp].flatMap { $0 >= 0 ? $0 : nil } }
    return result
  }

  private func listOffsets(
    _ entries: [(TopicPartition, Int64)], deadline: ContinuousClock.Instant, operation: String
  ) async throws -> [TopicPartition: Int64] {
    let handle = self.handle
    let boxed = entries.map { SendableEntry(tp: $0.0, value: $0.1) }
    return try await KafkaThreads.run {
      let list = PartitionList.make(boxed.map { ($0.tp, $0.value) })
      defer { rd_kafka_topic_partition_list_destroy(list) }
      let ms = (deadline - ContinuousClock.now).milliseconds
      let err = rd_kafka_offsets_for_times(handle.rk, list, ms)
      guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, operation: operation) }
      var result: [TopicPartition: Int64] = [:]
      for e in PartitionList.entries(list) {
        if e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
          throw KafkaError(e.err, message: "\(e.tp): \(String(cString: rd_kafka_err2str(e.err)))", operation: operation)
        }
        result[e.tp] = e.offset
      }
      return result
    }
  }

  /// The committed offsets of `group` for the given partitions (OffsetFetch); nil for a
  /// partition the group never committed.
  public func committedOffsets(
    group: String, partitions: [TopicPartition], timeout: Duration? = nil
  ) async throws -> [TopicPartition: Int64?] {
    guard !partitions.isEmpty else { return [:] }
    let ms = (timeout ?? defaultTimeout).milliseconds
    let handle = self.handle
    let tps = partitions
    return try await KafkaThreads.run {
      let list = PartitionList.make(tps.map { ($0, -1001) })
      defer { rd_kafka_topic_partition_list_destroy(list) }
      var request: OpaquePointer? = rd_kafka_ListConsumerGroupOffsets_new(group, list)
      defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
      let event = try AdminCall.run(
        handle: handle, op: RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeoutMs: ms,
        operation: "committed offsets of \(group)"
      ) { rk, options, queue in
        rd_kafka_ListConsumerGroupOffsets(rk, &request, 1, options, queue)
      }
      defer { rd_kafka_event_destroy(event) }
      let result = rd_kafka_event_ListConsumerGroupOffsets_result(event)
      var count = 0
      let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(result, &count)
      let entries = try AdminCall.groupPartitions(groups, count: count, operation: "committed offsets of \(group)")
      var offsets: [TopicPartition: Int64?] = [:]
      for tp in tps { offsets[tp] = .some(nil) }
      for e in entries {
        if e.err != RD_KAFKA_RESP_ERR_NO_ERROR {
          throw KafkaError(e.err, operation: "committed offsets of \(group) for \(e.tp)")
        }
        offsets[e.tp] = e.offset >= 0 ? e.offset : nil
      }
      return offsets
    }
  }

  /// Writes `offsets` as the committed offsets of `group` (AlterConsumerGroupOffsets).
  /// Kafka refuses this for a group with live members; that and every other
  /// per-partition failure is reported per partition rather than thrown.
  public func alterGroupOffsets(
    group: String, offsets: [TopicPartition: Int64], timeout: Duration? = nil
  ) async throws -> [TopicPartition: PartitionOutcome] {
    guard !offsets.isEmpty else { return [:] }
    let ms = (timeout ?? defaultTimeout).milliseconds
    let handle = self.handle
    let entries = offsets.map { SendableEntry(tp: $0.key, value: $0.value) }
    return try await KafkaThreads.run {
      let list = PartitionList.make(entries.map { ($0.tp, $0.value) })
      defer { rd_kafka_topic_partition_list_destroy(list) }
      var request: OpaquePointer? = rd_kafka_AlterConsumerGroupOffsets_new(group, list)
      defer { rd_kafka_AlterConsumerGroupOffsets_destroy(request) }
      let operation = "alter offsets of \(group)"
      let event = try AdminCall.run(
        handle: handle, op: RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeoutMs: ms,
        operation: operation
      ) { rk, options, queue in
        rd_kafka_AlterConsumerGroupOffsets(rk, &request, 1, options, queue)
      }
      defer { rd_kafka_event_destroy(event) }
      let result = rd_kafka_event_AlterConsumerGroupOffsets_result(event)
      var count = 0
      let groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(result, &count)
      var outcomes: [TopicPartition: PartitionOutcome] = [:]
      do {
        for e in try AdminCall.groupPartitions(groups, count: count, operation: operation) {
          outcomes[e.tp] =
            e.err == RD_KAFKA_RESP_ERR_NO_ERROR
            ? .ok : .failed(KafkaError(e.err, operation: "\(operation) for \(e.tp)"))
        }
      } catch let error as KafkaError {
        // A group-level error (e.g. the group is not empty) fails every partition.
        for entry in entries { outcomes[entry.tp] = .failed(error) }
      }
      for entry in entries where outcomes[entry.tp] == nil {
        outcomes[entry.tp] = .failed(
          KafkaError(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, message: "no result from broker", operation: operation))
      }
      return outcomes
    }
  }
}

struct SendableEntry: Sendable {
  let tp: TopicPartition
  let value: Int64
}
