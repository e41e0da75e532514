import CRdKafka

/// A long-lived consumer that reads assigned partitions from given offsets, for followers
/// of a topic such as the MM2 state ingester. It never joins a group and never commits:
/// its caller stores positions itself.
public final class KafkaConsumer: Sendable {
  let handle: RdKafkaHandle
  private let queue: RdPointer

  public struct Batch: Sendable {
    public var records: [ConsumedRecord] = []
    /// Partitions whose end was reached during this poll.
    public var reachedEnd: Set<TopicPartition> = []
    public var errors: [KafkaError] = []
  }

  public init(properties: [String: String]) throws {
    var props = properties
    props["group.id"] = props["group.id"] ?? "failoverctl-follower"
    props["enable.auto.commit"] = "false"
    props["enable.auto.offset.store"] = "false"
    props["enable.partition.eof"] = "true"
    props["auto.offset.reset"] = props["auto.offset.reset"] ?? "earliest"
    props["reconnect.backoff.max.ms"] = props["reconnect.backoff.max.ms"] ?? "1000"
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

  /// Up to `max` records, waiting at most `timeout` for the first one.
  public func poll(max: Int = 10_000, timeout: Duration = .milliseconds(200)) async throws -> Batch {
    let queue = self.queue
    let ms = timeout.milliseconds
    return try await KafkaThreads.run {
      var messages = [UnsafeMutablePointer<rd_kafka_message_t>?](repeating: nil, count: max)
      let n = rd_kafka_consume_batch_queue(queue.raw, ms, &messages, max)
      var batch = Batch()
      guard n > 0 else { return batch }
      batch.records.reserveCapacity(n)
      for i in 0..<n {
        guard let message = messages[i] else { continue }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
          batch.reachedEnd.insert(TopicPartition(String(cString: rd_kafka_topic_name(m.rkt)), m.partition))
        } else if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
          batch.errors.append(
            KafkaError(m.err, message: String(cString: rd_kafka_message_errstr(message)), operation: "poll"))
        } else {
          batch.records.append(KafkaClient.record(from: message))
        }
      }
      return batch
    }
  }
}
