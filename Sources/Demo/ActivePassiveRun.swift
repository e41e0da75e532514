import ControlServiceClient
import Foundation
import KafkaLab
import Orchestrator

/// The active-passive scenarios' common run: east and west, the shipped active-passive
/// policy, traffic following discovery, the scenario's event, every service active on
/// west, what the scenario does next, and the report.
struct ActivePassiveRun {
  let settings: DemoSettings
  /// Replication this far behind its source (nil: as fast as it can).
  let mirrorDelay: Duration?
  /// What happens at the event: a region fails, an operator switches over.
  let event: @Sendable (DemoStage, ControlClient) async throws -> Void
  /// What happens once every service is on west (failback: maintenance and the way home).
  var then: (@Sendable (DemoStage, ControlClient, [LabTraffic], inout DemoReport) async throws -> Void)? = nil

  func run() async throws -> DemoReport {
    try await DemoStage.play(settings, services: DemoStage.services(settings), mirrorDelay: mirrorDelay) { stage in
      var report = stage.newReport()
      stage.say(
        "regions east and west (\(settings.brokerName)), MM2-style mirrors east->west and west->east"
          + (mirrorDelay == nil ? "" : " (1 s behind)") + "; lab control \(stage.labURL)")
      let api = try await stage.startControlService(policy: DemoPolicy.activePassive)
      let ledger = TrafficLedger()
      let traffic = stage.startTraffic(server: api.server, ledger: ledger)
      stage.showTimeline(api, ledger)
      stage.say(
        "traffic: \(max(1, settings.rate / stage.lab.services.count)) records/s per service (acks=all), "
          + "\(settings.groupsPerService) consumer group(s) each processing records 1.5 s after they were produced; "
          + "clients following discovery")
      try await stage.warmUp(api, checkpointed: stage.lab.allGroups)
      let eventDate = Date()
      let started = ContinuousClock.now
      try await event(stage, api)
      report.failoverSeconds = try await stage.waitUntilActive(on: "west", traffic, since: started)
      try await stage.recordMoves(&report, api: api, since: eventDate)
      stage.say(String(format: "every service writable on west %.1f s after the event", report.failoverSeconds ?? -1))
      try await then?(stage, api, traffic, &report)
      try await stage.finish(&report, api: api, ledger: ledger, event: started)
      return report
    }
  }
}
