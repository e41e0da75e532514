import Foundation

/// One run of one probe: what it looked at, from where, and what it concluded.
public struct ProbeResult: Sendable, Codable, Equatable {
  /// `kafka`, `http`, `connect`, `prometheus`, `replication-lag`.
  public let kind: ProbeKind
  /// The cluster or flow the probe speaks for.
  public let subject: String
  public let state: HealthState
  public let reasons: [String]
  public let latencyMilliseconds: Double
  /// The orchestrator instance that ran the probe.
  public let vantage: String
  public let at: Date

  public init(
    kind: ProbeKind, subject: String, state: HealthState, reasons: [String], latencyMilliseconds: Double,
    vantage: String = ProbeResult.defaultVantage, at: Date = Date()
  ) {
    self.kind = kind
    self.subject = subject
    self.state = state
    self.reasons = reasons
    self.latencyMilliseconds = latencyMilliseconds
    self.vantage = vantage
    self.at = at
  }

  public static let defaultVantage = ProcessInfo.processInfo.hostName
}
