import CRdKafka

/// An error from librdkafka or from a broker, with librdkafka's own name and text so an
/// operator can search for it, and the operation that failed.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The raw `rd_kafka_resp_err_t` value.
  public let code: Int32
  /// librdkafka's symbolic name, e.g. `_TRANSPORT`, `UNKNOWN_TOPIC_OR_PART`.
  public let name: String
  public let message: String
  public let operation: String

  public init(code: Int32, message: String? = nil, operation: String) {
    self.code = code
    let err = rd_kafka_resp_err_t(rawValue: code)
    self.name = String(cString: rd_kafka_err2name(err))
    self.message = message ?? String(cString: rd_kafka_err2str(err))
    self.operation = operation
  }

  init(_ err: rd_kafka_resp_err_t, message: String? = nil, operation: String) {
    self.init(code: err.rawValue, message: message, operation: operation)
  }

  /// Takes ownership of `error` and destroys it.
  init(consuming error: OpaquePointer, operation: String) {
    let code = rd_kafka_error_code(error).rawValue
    let text = String(cString: rd_kafka_error_string(error))
    rd_kafka_error_destroy(error)
    self.init(code: code, message: text, operation: operation)
  }

  public var kind: Kind { Kind(code: code) }

  public var description: String { "\(operation): \(name): \(message)" }

  /// Broad classes callers act on; the exact code stays available in `code` and `name`.
  public enum Kind: Sendable, Equatable {
    case timedOut
    case unreachable
    case unknownTopicOrPartition
    case unsupportedByBroker
    case invalidArgument
    case groupNotEmpty
    case broker
    case client

    init(code: Int32) {
      switch rd_kafka_resp_err_t(rawValue: code) {
      case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
        RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
        self = .timedOut
      case RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR__RESOLVE, RD_KAFKA_RESP_ERR__DESTROY:
        self = .unreachable
      case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC,
        RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        self = .unknownTopicOrPartition
      case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE, RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION,
        RD_KAFKA_RESP_ERR_INVALID_REQUEST:
        self = .unsupportedByBroker
      case RD_KAFKA_RESP_ERR__INVALID_ARG, RD_KAFKA_RESP_ERR_INVALID_CONFIG:
        self = .invalidArgument
      case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID, RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
        self = .groupNotEmpty
      default:
        self = code > 0 ? .broker : .client
      }
    }
  }
}

/// A configuration property librdkafka refused, before any handle was created.
public struct KafkaConfigError: Error, Sendable, CustomStringConvertible {
  public let property: String
  public let message: String
  public var description: String { "invalid Kafka client property \"\(property)\": \(message)" }
}
