/// Where a journaled failover is in its life. Stored as its raw value.
public enum FailoverStatus: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
  /// The stored and wire value, also what messages print.
  public var description: String { rawValue }

  /// Opened by a policy that asks for approval: waits for an operator's ack.
  case pending
  case running
  case succeeded
  /// Stopped at a step; an operator may resume or abort it.
  case failed
  case aborted
  /// A planned switchover that could not complete before clients were switched: undone by
  /// itself, the source writable again at a new epoch. Final: start a new switchover.
  case rolledBack = "rolled-back"

  /// Pending or running: a service has at most one open failover.
  public var isOpen: Bool { self == .pending || self == .running }
  public var isFinished: Bool { !isOpen }
}
