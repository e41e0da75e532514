/// What started a change of a service's active cluster. Stored as its raw value.
public enum FailoverKind: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
  /// The stored and wire value, also what messages print.
  public var description: String { rawValue }

  /// An operator's switch to a named cluster (planned or forced).
  case promote
  /// An operator's fence of the active cluster, with no target.
  case demote
  /// An unplanned move to a standby, by a policy or an operator.
  case failover
  /// A planned switchover back to the primary.
  case failback
}
