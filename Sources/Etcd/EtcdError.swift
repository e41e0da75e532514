/// Why an etcd call failed.
public struct EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Code: Sendable, Equatable {
    /// No endpoint answered within the request timeout.
    case unavailable
    /// An endpoint answered with an error (HTTP status, etcd's message).
    case refused(Int)
    /// The answer was not the gateway's JSON.
    case undecodable
  }

  public let code: Code
  public let message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "etcd: \(message)" }
}
