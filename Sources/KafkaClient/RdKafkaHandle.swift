import CRdKafka
import Foundation

/// A raw librdkafka pointer that may cross threads.
///
/// `@unchecked Sendable` is safe because librdkafka documents `rd_kafka_t` and the
/// objects reached through it as thread-safe, and because the owner never mutates the
/// pointer itself, only passes it to librdkafka.
struct RdPointer: @unchecked Sendable {
  let raw: OpaquePointer
}

/// Owns one `rd_kafka_t` and destroys it exactly once.
final class RdKafkaHandle: Sendable {
  let pointer: RdPointer
  var rk: OpaquePointer { pointer.raw }

  init(type: rd_kafka_type_t, properties: [String: String]) throws {
    let conf = try RdKafkaHandle.makeConf(properties)
    rd_kafka_conf_set_log_cb(conf, kafkaLogCallback)
    if type == RD_KAFKA_PRODUCER {
      rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
    }
    var errstr = [CChar](repeating: 0, count: 512)
    guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
      rd_kafka_conf_destroy(conf)
      throw KafkaConfigError(property: "(client)", message: errorText(errstr))
    }
    pointer = RdPointer(raw: rk)
  }

  static func makeConf(_ properties: [String: String]) throws -> OpaquePointer {
    let conf = rd_kafka_conf_new()!
    var errstr = [CChar](repeating: 0, count: 512)
    for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
      if rd_kafka_conf_set(conf, key, value, &errstr, errstr.count) != RD_KAFKA_CONF_OK {
        rd_kafka_conf_destroy(conf)
        throw KafkaConfigError(property: key, message: errorText(errstr))
      }
    }
    return conf
  }

  deinit {
    // rd_kafka_destroy joins librdkafka's threads and may block; never on the caller's
    // (possibly cooperative) thread.
    let pointer = self.pointer
    KafkaThreads.detach { rd_kafka_destroy(pointer.raw) }
  }
}

/// librdkafka logs connection failures of an unreachable region many times a second;
/// they are the expected state of a failed region, so they are silent unless asked for.
let kafkaLogEnabled: Bool = ProcessInfo.processInfo.environment["FAILOVER_KAFKA_LOG"] != nil

private let kafkaLogCallback:
  @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    _, level, facility, buffer in
    guard kafkaLogEnabled, let facility, let buffer else { return }
    let line = "rdkafka[\(level)] \(String(cString: facility)): \(String(cString: buffer))\n"
    FileHandle.standardError.write(Data(line.utf8))
  }

/// The NUL-terminated text librdkafka wrote into an error buffer.
func errorText(_ buffer: [CChar]) -> String {
  buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
