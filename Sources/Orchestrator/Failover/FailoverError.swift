/// Why a failover step failed. The code says what kind of failure it is (for retries and
/// for tests); the message says what to do about it.
public struct FailoverError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Code: String, Sendable, Equatable {
    /// The topology names no such cluster (a topology changed under a running failover).
    case unknownCluster = "unknown-cluster"
    /// A planned drain did not see the flow caught up within the policy's drain bound.
    case drainBound = "drain-bound"
    /// Some translated offsets could not be written on the target.
    case offsetsNotWritten = "offsets-not-written"
    /// The service is not in the state the failover left it in (verify).
    case stateMismatch = "state-mismatch"
  }

  public let code: Code
  public let message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
