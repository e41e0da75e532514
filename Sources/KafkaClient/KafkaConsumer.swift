import CRdKafka

/// A long-lived consumer that reads assigned partitions from given offsets, for followers
/// of a topic such as the MM2 state ingester. It never joins a group and never commits:
/// its caller stores positions itself.
public final class KafkaConsumer: Sendable {
  let handle: RdKafkaHandle
  private let queue: RdPointer

  public struct Batch: Sendable {
    public var records: [ConsumedRecord] = []
    /// Partitions whose end was reported during this poll, with the offset reported.
    public var reachedEnd: [TopicPartition: Int64] = [:]
    public var errors: [KafkaError] = []
  }

  public init(properties: [String: String]) throws {
    var props = properties
    props["group.id"] = props["group.id"] ?? "failoverctl-follower"
    props["enable.auto.commit"] = props["enable.auto.commit"] ?? "false"
    props["enable.auto.offset.store"] = "false"
    props["enable.partition.eof"] = "true"
    props["auto.offset.reset"] = props["auto.offset.reset"] ?? "earliest"
    props["reconnect.backoff.max.ms"] = props["reconnect.backoff.max.ms"] ?? "1000"
    // Followers catch up on large backlogs: prefetch deep and fetch big (still bounded by
    // queued.max.messages.kbytes, 64 MiB by default). Measured in bench/: 140k -> 480k
    // records/s from a mock broker.
    props["queued.min.messages"] = props["queued.min.messages"] ?? "1000000"
    props["fetch.message.max.bytes"] = props["fetch.message.max.bytes"] ?? "10485760"
    props["fetch.wait.max.ms"] = props["fetch.wait.max.ms"] ?? "100"
    handle = try RdKafkaHandle(type: RD_KAFKA_CONSUMER, properties: props)
    queue = RdPointer(raw: rd_kafka_queue_get_consumer(handle.rk)!)
  }

  deinit {
    let queue = self.queue
    let handle = self.handle
    KafkaThreads.detach {
      rd_kafka_queue_destroy(queue.raw)
      _ = rd_kafka_consumer_close(handle.rk)
    }
  }

  /// Joins the consumer group of `group.id` for these topics; partitions are assigned as
  /// the group rebalances, which happens while `poll` is called.
  public func subscribe(_ topics: [String]) async throws {
    let handle = self.handle
    try await KafkaThreads.run {
      let list = PartitionList.make(topics.map { (TopicPartition($0, RD_KAFKA_PARTITION_UA), Int64(-1001)) })
      defer { rd_kafka_topic_partition_list_destroy(list) }
      let err = rd_kafka_subscribe(handle.rk, list)
      guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, operation: "subscribe") }
    }
  }

  /// The partitions currently assigned to this consumer.
  public func assignment() async throws -> [TopicPartition] {
    let handle = self.handle
    return try await KafkaThreads.run {
      var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
      let err = rd_kafka_assignment(handle.rk, &list)
      guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { throw KafkaError(err, operation: "assignment") }
      defer { rd_kafka_topic_partition_list_destroy(list) }
      return PartitionList.entries(list).map(\.tp).sorted()
    }
  }

  /// Replaces the assignment: each partition is read from the given offset.
  public func assign(_ positions: [TopicPartition: Int64]) async throws {
    let handle = self.handle
    let entries = positions.map { SendableEntry(tp: $0.key, value: $0.value) }
    try await KafkaThreads.run {
      let list = PartitionList.make(entries.map { ($0.tp, $0.value) })
      defer { rd_kafka_topic_partition_list_destroy(list) }
      let err = rd_kafka_assign(handle.rk, entries.isEmpty ? nil : list)
      guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, operation: "assign") }
    }
  }

  /// Up to `max` records, waiting at most `timeout` for the first one. Headers are read
  /// only when asked for: followers of MM2 topics do not need them.
  public func poll(max: Int = 10_000, timeout: Duration = .milliseconds(200), headers: Bool = true) async throws
    -> Batch
  {
    let polled = try await drain(max: max, timeout: timeout) { message, topic in
      KafkaClient.record(from: message, topic: topic, headers: headers)
    }
    return Batch(records: polled.records, reachedEnd: polled.reachedEnd, errors: polled.errors)
  }

  /// A record where librdkafka holds it: its key and value are valid only during the call
  /// it is passed to (librdkafka 2.8.0, rdkafka.h: a message's `key` and `payload` belong
  /// to it until `rd_kafka_message_destroy`, which `drain` calls after `decode` returns).
  public struct BorrowedRecord {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let timestamp: Int64?
    public let key: UnsafeRawBufferPointer?
    public let value: UnsafeRawBufferPointer?
  }

  /// A poll whose records `decode` turned into values on the consumer's thread.
  public struct DecodedBatch<Record: Sendable>: Sendable {
    public var records: [Record] = []
    public var reachedEnd: [TopicPartition: Int64] = [:]
    public var errors: [KafkaError] = []
  }

  /// Up to `max` records, each handed to `decode` in librdkafka's buffer, without copying
  /// its key and value first: for followers that decode every record at once (MM2's
  /// topics), the copies were most of the allocations of a catch-up (bench/README.md).
  public func poll<Record: Sendable>(
    max: Int = 10_000, timeout: Duration = .milliseconds(200),
    decode: @escaping @Sendable (BorrowedRecord) -> Record
  ) async throws -> DecodedBatch<Record> {
    try await drain(max: max, timeout: timeout) { message, topic in
      let m = message.pointee
      var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
      let ts = rd_kafka_message_timestamp(message, &tsType)
      return decode(
        BorrowedRecord(
          topic: topic, partition: m.partition, offset: m.offset,
          timestamp: tsType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts,
          key: m.key.map { UnsafeRawBufferPointer(start: $0, count: m.key_len) },
          value: m.payload.map { UnsafeRawBufferPointer(start: $0, count: m.len) }))
    }
  }

  /// One batch from the consumer's queue on a Kafka thread: each record through `make`
  /// (while its message is alive), ends of partitions and errors apart.
  private func drain<Record: Sendable>(
    max: Int, timeout: Duration,
    _ make: @escaping @Sendable (UnsafeMutablePointer<rd_kafka_message_t>, String) -> Record
  ) async throws -> DecodedBatch<Record> {
    let queue = self.queue
    let ms = timeout.milliseconds
    return try await KafkaThreads.run {
      var messages = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: max)
      let n = rd_kafka_consume_batch_queue(queue.raw, ms, &messages, max)
      var batch = DecodedBatch<Record>()
      guard n > 0 else { return batch }
      batch.records.reserveCapacity(n)
      // One String per topic handle, not per record.
      var names: [OpaquePointer: String] = [:]
      func name(_ rkt: OpaquePointer) -> String {
        if let known = names[rkt] { return known }
        let s = String(cString: rd_kafka_topic_name(rkt))
        names[rkt] = s
        return s
      }
      for i in 0..<n {
        guard let message = messages[i] else { continue }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
          batch.reachedEnd[TopicPartition(name(m.rkt), m.partition)] = m.offset
        } else if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
          let text = String(cString: rd_kafka_message_errstr(message))
          batch.errors.append(KafkaError(m.err, message: text, operation: "poll"))
        } else {
          batch.records.append(make(message, name(m.rkt)))
        }
      }
      return batch
    }
  }
}
