import ControlServiceClient
import Foundation
import KafkaLab
import Orchestrator

/// The traffic: producers and consumers following discovery, and waits on what they see.
extension DemoStage {
  /// A producer and consumer groups per service, following discovery at `server`, started.
  func startTraffic(server: String, ledger: TrafficLedger) -> [LabTraffic] {
    let perService = max(1, settings.rate / lab.services.count)
    let lab = self.lab
    let traffic = lab.services.map {
      LabTraffic(
        service: $0.name, group: $0.groups[0],
        extraGroups: $0.groups.dropFirst().filter { !$0.hasSuffix(Self.independentSuffix) },
        servers: [server], recordsPerSecond: perService,
        processingDelay: Self.processingDelay, isUp: { lab.region($0)?.isDown == false }, ledger: ledger)
    }
    run(traffic)
    return traffic
  }

  /// Runs each client until the stage tears down; producers stop when `stopProducing` is set.
  func run(_ traffic: [LabTraffic]) {
    let stop = stopProducing
    for t in traffic { keep(Task { await t.run(stopProducing: { stop.isSet }) }) }
  }

  /// The live timeline, read through the API like an operator would, until the stage ends.
  func showTimeline(_ api: ControlClient, _ ledger: TrafficLedger) {
    let say = self.say
    keep(Task { await DemoTimeline(api: api, ledger: ledger, say: say).run() })
  }

  /// Seconds from `since` until every service's clients see a writable active cluster on `cluster`.
  func waitUntilActive(on cluster: String, _ traffic: [LabTraffic], since: ContinuousClock.Instant)
    async throws -> Double
  {
    try await waitUntilActive(traffic, since: since, "on \(cluster)") { $0 == cluster }
  }

  /// Seconds from `since` until every service's clients see a writable active cluster other than `cluster`.
  func waitUntilActive(awayFrom cluster: String, _ traffic: [LabTraffic], since: ContinuousClock.Instant)
    async throws -> Double
  {
    try await waitUntilActive(traffic, since: since, "away from \(cluster)") { $0 != nil && $0 != cluster }
  }

  private func waitUntilActive(
    _ traffic: [LabTraffic], since: ContinuousClock.Instant, _ what: String, _ wanted: (String?) -> Bool
  ) async throws -> Double {
    let deadline = since + .seconds(90)
    while ContinuousClock.now < deadline {
      let all = traffic.allSatisfy { t in
        let v = t.follower.view
        return wanted(v?.cluster) && v?.writable == true
      }
      if all { return (ContinuousClock.now - since) / .seconds(1) }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw DemoError("the services were not active \(what) within 90 s: see failoverctl history")
  }

  /// The ledger once the consumers have read everything they can: nothing missing, or no
  /// progress for three seconds (what an unplanned failover lost never arrives).
  func drained(_ ledger: TrafficLedger) async throws -> TrafficLedger.Totals {
    var totals = await ledger.totals
    var still = ContinuousClock.now
    let deadline = ContinuousClock.now + .seconds(30)
    while totals.lost > 0, ContinuousClock.now - still < .seconds(3), ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(200))
      let next = await ledger.totals
      if next.consumed != totals.consumed { still = ContinuousClock.now }
      totals = next
    }
    return totals
  }
}
