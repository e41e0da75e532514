import ControlServiceClient
import Foundation
import KafkaLab
import Orchestrator

/// The run's phases every scenario shares: warming up, the moves, the end.
extension DemoStage {
  /// Waits until the control service knows east->west's lag (before that an RPO budget
  /// rightly refuses an automatic failover) and has ingested MM2's checkpoint of every one
  /// of `groups` (without one, a failover from a dead east cannot translate the group),
  /// then lets the traffic run 30 % of the duration.
  func warmUp(_ api: ControlClient, checkpointed groups: [String]) async throws {
    let (lag, _) = try await api.waitUntilCheckpointed("east->west", timeout: .seconds(30))
    // The control service's own database, read beside it: the API has no call for MM2's state.
    let store = try await StateStore.open(path: settings.database)
    let deadline = ContinuousClock.now + .seconds(30)
    while Set(try await store.checkpoints(flow: "east->west", groups: Set(groups)).map(\.checkpoint.group))
      != Set(groups)
    {
      guard ContinuousClock.now < deadline else {
        throw DemoError("the control service did not ingest a checkpoint of every consumer group within 30 s")
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    say(
      "the control service has ingested MM2's offset-syncs and a checkpoint of each of the \(groups.count) "
        + "consumer groups: east->west is \(lag) records behind")
    try await Task.sleep(for: .seconds(settings.duration * 0.3))
  }

  /// What the first failovers after the event predicted and translated.
  func recordMoves(_ report: inout DemoReport, api: ControlClient, since eventDate: Date) async throws {
    let moves = try await api.failovers()
    report.detectionSeconds = moves.first.map { $0.createdAt.timeIntervalSince(eventDate) }
    report.expectedLossBound = DemoReport.lossBound(moves)
    report.groupsTranslated = moves.map { DemoReport.move($0).groupsTranslated }.reduce(0, +)
  }

  /// Runs the traffic to `--duration` after the warm-up, then stops the producers.
  func runOut(since event: ContinuousClock.Instant) async throws {
    let elapsed = (ContinuousClock.now - event) / .seconds(1) + settings.duration * 0.3
    try await Task.sleep(for: .seconds(max(2, settings.duration - elapsed)))
    stopProducing.set()
    say("producers stop; consumers drain")
  }

  /// Runs the traffic out, lets the consumers drain and fills in the report's counts,
  /// failovers and where the services ended.
  func finish(_ report: inout DemoReport, api: ControlClient, ledger: TrafficLedger, event: ContinuousClock.Instant)
    async throws
  {
    try await runOut(since: event)
    report.apply(try await drained(ledger))
    try await recordEnd(&report, api: api)
  }

  /// The failovers and where the services ended.
  func recordEnd(_ report: inout DemoReport, api: ControlClient) async throws {
    report.failovers = try await api.failovers().map(DemoReport.move)
    report.servicesAfter = try await api.status().services.map {
      DemoReport.ServiceAfter(service: $0.service, activeCluster: $0.activeCluster, epoch: $0.epoch)
    }
  }
}

extension DemoReport {
  mutating func apply(_ t: TrafficLedger.Totals) {
    produced = t.produced
    acknowledged = t.acknowledged
    consumed = t.consumed
    lost = t.lost
    redelivered = t.redelivered
  }
}
