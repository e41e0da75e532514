import Topology

/// Why a request to the control plane was refused. Raised before anything is changed.
public struct ControlError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable, Equatable, Codable {
    /// Fields of the request are wrong (unknown cluster, bad value, missing field).
    case invalid
    /// No such service, failover or route.
    case notFound = "not-found"
    /// The request is valid but the state does not allow it now (already active, another
    /// change won the race, unhealthy target for a planned switch).
    case conflict
  }

  public let kind: Kind
  public let message: String
  public let fields: [FieldError]

  public init(_ kind: Kind, _ message: String, fields: [FieldError] = []) {
    self.kind = kind
    self.message = message
    self.fields = fields
  }

  public var description: String {
    ([message] + fields.map { "\($0.field): \($0.message)" }).joined(separator: "; ")
  }
}

/// A problem with one field of a request.
public struct FieldError: Sendable, Equatable, Codable {
  public let field: String
  public let message: String

  public init(_ field: String, _ message: String) {
    self.field = field
    self.message = message
  }
}
