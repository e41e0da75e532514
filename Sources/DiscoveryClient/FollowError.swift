/// Why following a service stopped. Only these end it: a server that cannot be reached is
/// tried again, and once a document is held the follower never gives up.
public struct FollowError: Error, CustomStringConvertible, Sendable, Equatable {
  public enum Code: Sendable, Equatable {
    /// A server says the service does not exist.
    case unknownService
    /// The service is active-active and the region is missing or not one of its own.
    case region
    /// A server refused the token (401) or its role (403).
    case refused
    /// No server answered before the first document was due.
    case unreachable
  }
  public let code: Code
  public let description: String

  public init(_ code: Code, _ description: String) {
    self.code = code
    self.description = description
  }
}
