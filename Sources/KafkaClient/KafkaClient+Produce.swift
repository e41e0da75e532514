import CRdKafka
import Synchronization

extension KafkaClient {
  /// Produces `records` (acks=all by default) and waits for every delivery report.
  /// Returns the reports in the order of `records`; throws the first failure.
  public func produce(_ records: [ProducerRecord], timeout: Duration? = nil) async throws -> [DeliveryReport] {
    guard !records.isEmpty else { return [] }
    let deadline = ContinuousClock.now + (timeout ?? defaultTimeout)
    let handle = self.handle
    return try await KafkaThreads.run {
      let boxes = try records.map { try Self.enqueue($0, handle: handle, deadline: deadline) }
      while ContinuousClock.now < deadline, !boxes.allSatisfy(\.isDone) {
        rd_kafka_poll(handle.rk, 10)
      }
      return try zip(records, boxes).map { record, box in
        guard let outcome = box.outcome else {
          throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, operation: "produce to \(record.topic)")
        }
        guard outcome.err == 0 else {
          throw KafkaError(code: outcome.err, operation: "produce to \(record.topic)")
        }
        return DeliveryReport(topic: record.topic, partition: outcome.partition, offset: outcome.offset)
      }
    }
  }

  private static func enqueue(
    _ record: ProducerRecord, handle: RdKafkaHandle, deadline: ContinuousClock.Instant
  ) throws -> DeliveryBox {
    let box = DeliveryBox()
    while true {
      var headers: OpaquePointer? = nil
      if !record.headers.isEmpty {
        headers = rd_kafka_headers_new(record.headers.count)
        for h in record.headers {
          if let value = h.value {
            _ = value.withUnsafeBytes { rd_kafka_header_add(headers, h.key, -1, $0.baseAddress, $0.count) }
          } else {
            _ = rd_kafka_header_add(headers, h.key, -1, nil, 0)
          }
        }
      }
      let opaque = Unmanaged.passRetained(box).toOpaque()
      let err = withOptionalBytes(record.key) { key, keyLen in
        withOptionalBytes(record.value) { value, valueLen in
          crk_produce(
            handle.rk, record.topic, record.partition ?? RD_KAFKA_PARTITION_UA, key, keyLen, value,
            valueLen, record.timestamp ?? 0, headers, opaque)
        }
      }
      if err == RD_KAFKA_RESP_ERR_NO_ERROR { return box }
      // Not enqueued: the delivery callback will never run, so release what it would have.
      Unmanaged<DeliveryBox>.fromOpaque(opaque).release()
      if let headers { rd_kafka_headers_destroy(headers) }
      if err == RD_KAFKA_RESP_ERR__QUEUE_FULL, ContinuousClock.now < deadline {
        rd_kafka_poll(handle.rk, 10)
        continue
      }
      throw KafkaError(err, operation: "produce to \(record.topic)")
    }
  }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> R) -> R {
  guard let bytes else { return body(nil, 0) }
  return bytes.withUnsafeBytes { body($0.baseAddress, $0.count) }
}

/// Where librdkafka's delivery callback leaves the outcome of one record.
final class DeliveryBox: Sendable {
  struct Outcome: Sendable {
    let err: Int32
    let partition: Int32
    let offset: Int64
  }
  private let state = Mutex<Outcome?>(nil)
  var outcome: Outcome? { state.withLock { $0 } }
  var isDone: Bool { outcome != nil }
  func complete(_ outcome: Outcome) { state.withLock { $0 = outcome } }
}

/// Runs on whichever thread polls the producer, possibly for another call's records:
/// each record carries its own box, so that is harmless.
let deliveryReportCallback:
  @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, _ in
    guard let message, let opaque = message.pointee._private else { return }
    let box = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeRetainedValue()
    box.complete(
      .init(err: message.pointee.err.rawValue, partition: message.pointee.partition, offset: message.pointee.offset))
  }
