/// `demo --scenario unplanned`: region east dies; the policy fails every service over to
/// west on its own. Replication runs a second behind, so the failure loses what it had not
/// copied yet, which the orchestrator predicts from the lag it measured.
struct UnplannedScenario: DemoScenario {
  static let policy = DemoPolicy.activePassive
  let settings: DemoSettings
  init(_ settings: DemoSettings) { self.settings = settings }

  func run() async throws -> DemoReport {
    try await ActivePassiveRun(settings: settings, mirrorDelay: .seconds(1)) { stage, _ in
      stage.say("! region east fails: every broker down")
      try stage.region("east").fail()
    }.run()
  }
}
