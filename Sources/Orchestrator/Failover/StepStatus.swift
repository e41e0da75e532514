/// Where one journaled step is. Stored as its raw value.
public enum StepStatus: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
  /// The stored and wire value, also what messages print.
  public var description: String { rawValue }

  case pending
  case running
  case done
  case failed
  /// Recorded with the reason when the step does not apply to this failover.
  case skipped

  /// Done or skipped: a resumed failover never runs it again.
  public var isComplete: Bool { self == .done || self == .skipped }
}
