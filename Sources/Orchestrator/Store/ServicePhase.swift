/// Whether a service is settled on its active cluster or between two. Stored as its raw value.
public enum ServicePhase: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
  /// The stored and wire value, also what messages print.
  public var description: String { rawValue }

  case stable
  /// Fenced (not writable) and not yet switched: a failover or a demote is under way.
  case failingOver = "failing-over"
}
