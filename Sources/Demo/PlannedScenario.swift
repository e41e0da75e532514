import ControlServiceClient
import Orchestrator

/// `demo --scenario planned`: an operator's planned switchover of every service to west;
/// nothing is lost.
struct PlannedScenario: DemoScenario {
  static let policy = DemoPolicy.activePassive
  let settings: DemoSettings
  init(_ settings: DemoSettings) { self.settings = settings }

  func run() async throws -> DemoReport {
    try await ActivePassiveRun(settings: settings, mirrorDelay: nil, event: Self.switchover).run()
  }

  /// `failoverctl promote SERVICE --to west` for every service.
  @Sendable static func switchover(_ stage: DemoStage, _ api: ControlClient) async throws {
    stage.say("! planned switchover of every service to west (failoverctl promote SERVICE --to west)")
    for s in stage.lab.services {
      _ = try await api.post(
        "/v1/services/\(s.name)/promote", body: ["to": "west", "reason": "demo"], as: SwitchOutcome.self)
    }
  }
}
