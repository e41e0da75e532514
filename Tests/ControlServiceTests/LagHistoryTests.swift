import Foundation
import Testing
import Topology

@testable import ControlService
@testable import Orchestrator

@Suite("Lag history: what the console's chart is drawn from")
struct LagHistoryTests {
  static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

  static func sample(_ seconds: Double, _ records: Int64) -> LagHistory.Sample {
    LagHistory.Sample(at: t0.addingTimeInterval(seconds), recordsBehind: records, checkpointAgeSeconds: nil)
  }

  @Test func oneSamplePerSlotKeepsTheNewestValue() {
    var h = LagHistory()
    // A 1 s probe interval for a minute: one sample per 5 s slot, each the slot's latest.
    for s in 0..<60 { h.record("east->west", Self.sample(Double(s), Int64(s))) }
    let kept = h.samples("east->west", seconds: 3600, now: Self.t0.addingTimeInterval(60))
    #expect(kept.count == 12)
    #expect(kept.map(\.recordsBehind) == stride(from: 4, to: 60, by: 5).map { Int64($0) })
  }

  @Test func samplesOlderThanTheWindowAreDropped() {
    var h = LagHistory()
    for s in stride(from: 0.0, through: 7200, by: 5) { h.record("east->west", Self.sample(s, 1)) }
    let now = Self.t0.addingTimeInterval(7200)
    let kept = h.samples("east->west", seconds: 3600, now: now)
    #expect(kept.count == 721)
    #expect(kept.first!.at == now.addingTimeInterval(-3600))
    #expect(h.samples("east->west", seconds: 60, now: now).count == 13)
    #expect(h.samples("west->east", seconds: 3600, now: now).isEmpty)
  }

  @Test func theLagBookRecordsOnlyMeasurementsThatKnewTheSource() async {
    let book = LagBook()
    await book.update("east->west", LagBookTests.measured(high: 150), at: Self.t0)
    await book.update("east->west", LagBookTests.measured(high: nil), at: Self.t0.addingTimeInterval(10))
    let kept = await book.history("east->west", seconds: 3600, now: Self.t0.addingTimeInterval(20))
    #expect(kept.map(\.recordsBehind) == [50])
  }
}

@Suite("Lag history: the RPO budget and thresholds drawn with it")
struct LagHistoryBudgetTests {
  static let topology = Topology(
    regions: [Region(name: "r1"), Region(name: "r2"), Region(name: "r3")],
    clusters: [
      Cluster(name: "a", region: "r1", bootstrapServers: "a:9092"),
      Cluster(name: "b", region: "r2", bootstrapServers: "b:9092"),
      Cluster(name: "c", region: "r3", bootstrapServers: "c:9092"),
    ],
    flows: [Flow(source: "a", target: "b"), Flow(source: "a", target: "c"), Flow(source: "b", target: "c")],
    services: [
      Service(name: "orders", primary: "a", standbys: ["b"], topics: ["orders"], policy: "tight"),
      Service(name: "payments", primary: "a", standbys: ["b", "c"], topics: ["payments"], policy: "loose"),
      Service(name: "audit", primary: "b", standbys: ["c"], topics: ["audit"], policy: "missing"),
    ])

  static func policy(_ guards: String) throws -> Policy {
    try PolicyLoader.parse(
      yaml: "trigger: {any: [{clusterUnreachable: {for: 0s}}]}\nguards: {\(guards)}\n", file: "p.yaml",
      defaultName: "p")
  }

  @Test func theSmallestBudgetOfThePoliciesOfServicesOnBothEndsOfTheFlow() throws {
    let policies = [
      "tight": try Self.policy("maxLagRecords: 100, maxCheckpointAge: 2m"),
      "loose": try Self.policy("maxLagRecords: 5000, maxCheckpointAge: 30s"),
    ]
    let t = Self.topology
    // a->b: both services have a and b; the smallest of each guard, whichever policy it is from.
    let ab = try #require(LagHistoryView.budget(t.flows[0], topology: t, policies: policies))
    #expect(ab == .init(records: 100, checkpointAgeSeconds: 30, policies: ["loose", "tight"]))
    // a->c: only payments has both ends.
    let ac = try #require(LagHistoryView.budget(t.flows[1], topology: t, policies: policies))
    #expect(ac == .init(records: 5000, checkpointAgeSeconds: 30, policies: ["loose"]))
    // b->c: payments (loose) and audit, whose policy is not loaded: only loose counts.
    #expect(LagHistoryView.budget(t.flows[2], topology: t, policies: policies)?.policies == ["loose"])
    // No policy bounds the lag: no budget.
    #expect(LagHistoryView.budget(t.flows[0], topology: t, policies: ["tight": try Self.policy("cooldown: 1m")]) == nil)
  }

  @Test func thresholdsComeFromTheLagProbeWhenThereIsOne() {
    var probes = ProbeSettings()
    #expect(LagHistoryView.thresholds(probes) == nil)
    probes.replicationLag = LagThresholds(maxRecordsBehind: 10, maxCheckpointAge: .milliseconds(1500))
    #expect(
      LagHistoryView.thresholds(probes)
        == .init(recordsBehind: 10, heartbeatAgeSeconds: nil, checkpointAgeSeconds: 1.5))
  }
}
