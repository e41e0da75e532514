import HealthProbes

/// A cluster's or flow's health as the status shows it: the health model's judgement, or
/// `unknown` before any probe of it reported.
public enum JudgedHealth: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
  case healthy, degraded, unreachable, unknown

  public var description: String { rawValue }

  public init(_ state: HealthState?) {
    switch state {
    case .healthy?: self = .healthy
    case .degraded?: self = .degraded
    case .unreachable?: self = .unreachable
    case nil: self = .unknown
    }
  }
}
