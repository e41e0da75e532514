import CRdKafka

/// The shape every librdkafka admin call shares: options with a request timeout, a
/// private queue, one result event.
enum AdminCall {
  /// Runs `start` and waits for its result event, which the caller must destroy.
  static func run(
    handle: RdKafkaHandle, op: rd_kafka_admin_op_t, timeoutMs: Int32, operation: String,
    start: (OpaquePointer, OpaquePointer, OpaquePointer) -> Void
  ) throws -> OpaquePointer {
    let options = rd_kafka_AdminOptions_new(handle.rk, op)!
    defer { rd_kafka_AdminOptions_destroy(options) }
    var errstr = [CChar](repeating: 0, count: 512)
    let err = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errstr, errstr.count)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw KafkaError(err, message: errorText(errstr), operation: operation)
    }
    let queue = rd_kafka_queue_new(handle.rk)!
    defer { rd_kafka_queue_destroy(queue) }
    start(handle.rk, options, queue)
    // librdkafka enforces the request timeout itself; the extra second only guards
    // against a lost event.
    guard let event = rd_kafka_queue_poll(queue, timeoutMs + 1000) else {
      throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, operation: operation)
    }
    let eventErr = rd_kafka_event_error(event)
    if eventErr != RD_KAFKA_RESP_ERR_NO_ERROR {
      let text = rd_kafka_event_error_string(event).map { String(cString: $0) }
      rd_kafka_event_destroy(event)
      throw KafkaError(eventErr, message: text, operation: operation)
    }
    return event
  }

  /// The partitions of a single group result, or the group's own error.
  static func groupPartitions(
    _ groups: UnsafeMutablePointer<OpaquePointer?>?, count: Int, operation: String
  ) throws -> [PartitionList.Entry] {
    guard count > 0, let groups, let group = groups[0] else {
      throw KafkaError(RD_KAFKA_RESP_ERR__BAD_MSG, message: "empty admin result", operation: operation)
    }
    if let error = rd_kafka_group_result_error(group) {
      let code = rd_kafka_error_code(error)
      let text = String(cString: rd_kafka_error_string(error))
      throw KafkaError(code, message: text, operation: operation)
    }
    guard let partitions = rd_kafka_group_result_partitions(group) else { return [] }
    return PartitionList.entries(partitions)
  }
}
