import Topology

/// Why the state database cannot be used. Every case leaves the file as it was.
public struct StoreError: Error, Sendable, CustomStringConvertible {
  public enum Kind: Sendable, Equatable {
    /// Written by a newer build: this one must not guess at tables it does not know.
    case newerSchema
    /// Another process holds a lock for longer than the busy timeout.
    case locked
    /// Not a SQLite database, or a damaged one.
    case corrupt
    /// Missing directory, permissions, disk full.
    case cannotOpen
    /// A compare-and-set lost: the state changed since it was read.
    case conflict
    /// A row that must exist does not.
    case notFound
  }

  public let kind: Kind
  public let path: String
  public let message: String

  public init(_ kind: Kind, path: String, _ message: String) {
    self.kind = kind
    self.path = path
    self.message = message
  }

  public var description: String { "state database \(path): \(message)" }
}
