/// The demo's scenarios, each a type of its own (`scenario`).
public enum DemoKind: String, CaseIterable, Codable, Sendable {
  /// Region east dies; the policy fails every service over to west on its own.
  case unplanned
  /// An operator's planned switchover of every service to west.
  case planned
  /// A planned switchover to west, east down for maintenance and back, then failback.
  case failback
  /// Three orchestrators on etcd; the region with the primary and the leader dies.
  case controlPlane = "control-plane"
  /// Active-active services: both regions write; east dies; only east's clients move.
  case activeActive = "active-active"
  /// East dies with an unreplicated tail; the policy fails over; east comes back; the tail
  /// is recovered into west; failback. Nothing acknowledged is lost for good.
  case recover

  var scenario: any DemoScenario.Type {
    switch self {
    case .unplanned: UnplannedScenario.self
    case .planned: PlannedScenario.self
    case .failback: FailbackScenario.self
    case .controlPlane: ControlPlaneScenario.self
    case .activeActive: ActiveActiveScenario.self
    case .recover: RecoverScenario.self
    }
  }
}

/// One scenario end to end: it sets up its stage, plays its events and writes the report.
protocol DemoScenario: Sendable {
  /// The shipped policy the scenario runs, with the demo's changes.
  static var policy: DemoPolicy { get }
  init(_ settings: DemoSettings)
  func run() async throws -> DemoReport
}

/// The demo's entry point, for the CLI and for tests in process.
public enum Demo {
  public static func run(_ settings: DemoSettings) async throws -> DemoReport {
    let scenario = settings.kind.scenario
    // The policy is read, changed, checked and written where the control service reads it
    // before anything starts: a missing file or setting is reported at once.
    _ = try scenario.policy.write(from: settings.policies, into: settings.policiesDirectory)
    return try await scenario.init(settings).run()
  }
}
