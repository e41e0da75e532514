import ControlServiceClient
import KafkaLab
import Orchestrator

/// `demo --scenario failback`: a planned switchover to west, east down for maintenance and
/// back, then every service fails back home; nothing is lost.
struct FailbackScenario: DemoScenario {
  static let policy = DemoPolicy.activePassive
  let settings: DemoSettings
  init(_ settings: DemoSettings) { self.settings = settings }

  func run() async throws -> DemoReport {
    try await ActivePassiveRun(settings: settings, mirrorDelay: nil, event: PlannedScenario.switchover) {
      stage, api, traffic, report in
      let east = try stage.region("east")
      stage.say("! region east goes down for maintenance")
      east.fail()
      try await api.waitUntilState("east", .unreachable, timeout: .seconds(30))
      stage.say("the control service sees east unreachable; the services stay on west (no policy moves them back)")
      east.recover()
      stage.say("! region east is back; waiting until the control service sees it healthy")
      try await api.waitUntilState("east", .healthy, timeout: .seconds(30))
      stage.say("failback of every service to east (failoverctl failback SERVICE)")
      let back = ContinuousClock.now
      for s in stage.lab.services {
        _ = try await api.post("/v1/services/\(s.name)/failback", body: ["reason": "demo"], as: SwitchOutcome.self)
      }
      report.failbackSeconds = try await stage.waitUntilActive(on: "east", traffic, since: back)
      stage.say(String(format: "every service home on east %.1f s after the request", report.failbackSeconds ?? -1))
    }.run()
  }
}
