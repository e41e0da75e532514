import CRdKafka

extension KafkaClient {
  /// Reads one partition from `offset` up to (not including) `until`, or to the end of
  /// the partition when `until` is nil, at most `maxRecords` records.
  public func read(
    _ tp: TopicPartition, from offset: Int64, until: Int64? = nil, maxRecords: Int = 100_000,
    timeout: Duration? = nil
  ) async throws -> [ConsumedRecord] {
    let deadline = ContinuousClock.now + (timeout ?? defaultTimeout)
    var props = userProperties
    // A throwaway consumer that never joins or commits: assign() only, so the group id
    // is a formality librdkafka's consumer API requires.
    props["group.id"] = props["group.id"] ?? "failoverctl-reader"
    props["enable.auto.commit"] = "false"
    props["enable.auto.offset.store"] = "false"
    props["enable.partition.eof"] = "true"
    props["auto.offset.reset"] = "earliest"
    props["reconnect.backoff.max.ms"] = props["reconnect.backoff.max.ms"] ?? "1000"
    let consumerProps = props
    return try await KafkaThreads.run {
      let consumer = try RdKafkaHandle(type: RD_KAFKA_CONSUMER, properties: consumerProps)
      let list = PartitionList.make([(tp, offset)])
      defer { rd_kafka_topic_partition_list_destroy(list) }
      let err = rd_kafka_assign(consumer.rk, list)
      guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, operation: "read \(tp)") }
      defer { _ = rd_kafka_consumer_close(consumer.rk) }
      var records: [ConsumedRecord] = []
      if let until, until <= offset { return records }
      while records.count < maxRecords {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else {
          throw KafkaError(
            RD_KAFKA_RESP_ERR__TIMED_OUT, message: "read \(records.count) records before the timeout",
            operation: "read \(tp)")
        }
        guard let message = rd_kafka_consumer_poll(consumer.rk, min(remaining.milliseconds, 100)) else { continue }
        defer { rd_kafka_message_destroy(message) }
        let m = message.pointee
        if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF { break }
        guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
          throw KafkaError(m.err, message: messageErrorText(message), operation: "read \(tp)")
        }
        records.append(Self.record(from: message))
        if let until, m.offset + 1 >= until { break }
      }
      return records
    }
  }

  static func record(
    from message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String? = nil, headers withHeaders: Bool = true
  ) -> ConsumedRecord {
    let m = message.pointee
    var tsType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
    let ts = rd_kafka_message_timestamp(message, &tsType)
    return ConsumedRecord(
      topic: topic ?? String(cString: rd_kafka_topic_name(m.rkt)), partition: m.partition, offset: m.offset,
      timestamp: tsType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : ts,
      key: m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) },
      value: m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) },
      headers: withHeaders ? headers(of: message) : [])
  }

  static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
    var hdrs: OpaquePointer? = nil
    guard rd_kafka_message_headers(message, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs else { return [] }
    var result: [KafkaHeader] = []
    var index = 0
    while true {
      var name: UnsafePointer<CChar>? = nil
      var value: UnsafeRawPointer? = nil
      var size = 0
      guard rd_kafka_header_get_all(hdrs, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
        let name
      else { break }
      result.append(
        KafkaHeader(
          key: String(cString: name), value: value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }))
      index += 1
    }
    return result
  }
}

private func messageErrorText(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> String {
  String(cString: rd_kafka_message_errstr(message))
}
