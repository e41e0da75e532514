import Foundation
import HealthProbes
import Orchestrator
import Testing
import Topology

@Suite("Policy evaluation: trigger, guards, approval")
struct PolicyEvaluatorTests {
  static let topology = Topology(
    regions: [Region(name: "r1"), Region(name: "r2"), Region(name: "r3")],
    clusters: [
      Cluster(name: "east", region: "r1", bootstrapServers: "e:1"),
      Cluster(name: "west", region: "r2", bootstrapServers: "w:1"),
      Cluster(name: "south", region: "r3", bootstrapServers: "s:1"),
    ],
    flows: [Flow(source: "east", target: "west"), Flow(source: "east", target: "south")],
    services: [Service(name: "orders", primary: "east", standbys: ["west", "south"], topics: ["orders"])])
  static let now = Date(timeIntervalSince1970: 1_764_000_000)  // a Monday, 16:00 UTC

  static func policy(_ yaml: String) throws -> Policy {
    try PolicyLoader.parse(yaml: yaml, file: "p.yaml", defaultName: "p")
  }

  /// Health as the model judges it after `results` rounds of `state` for `cluster`.
  static func judged(_ states: [String: [HealthState]]) -> [String: SubjectHealth] {
    var model = HealthModel(hysteresis: Hysteresis(failuresToDown: 3, successesToUp: 2))
    for (cluster, rounds) in states {
      for (i, s) in rounds.enumerated() {
        model.observe(
          ProbeResult(
            kind: .kafka, subject: cluster, state: s, reasons: s == .healthy ? [] : ["down"], latencyMilliseconds: 1,
            vantage: "v1", at: now.addingTimeInterval(Double(i - rounds.count))))
      }
    }
    return Dictionary(uniqueKeysWithValues: states.keys.map { ($0, model.health(of: $0)) })
  }

  let service = Self.topology.services[0]
  let automatic = "trigger: {any: [{clusterUnreachable: {for: 0s}}]}\nguards: {cooldown: 10m}\n"

  @Test func aSingleFailedProbeNeverFires() throws {
    let e = PolicyEvaluator(policy: try Self.policy(automatic), topology: Self.topology)
    let one = Self.judged(["east": [.healthy, .unreachable], "west": [.healthy], "south": [.healthy]])
    #expect(e.decide(service: service, active: "east", PolicyInputs(health: one, now: Self.now)) == .quiet)
    let three = Self.judged([
      "east": [.healthy, .unreachable, .unreachable, .unreachable], "west": [.healthy], "south": [.healthy],
    ])
    #expect(
      e.decide(service: service, active: "east", PolicyInputs(health: three, now: Self.now))
        == .failover(target: "west", reason: "east unreachable from 1 vantage point(s): v1"))
  }

  @Test func guardsRefuseInOrderAndSayWhy() throws {
    let down = Self.judged([
      "east": [.unreachable, .unreachable, .unreachable], "west": [.unreachable, .unreachable, .unreachable],
      "south": [.healthy],
    ])
    var e = PolicyEvaluator(policy: try Self.policy(automatic), topology: Self.topology)
    // West is down too: the healthy standby is south.
    #expect(e.decide(service: service, active: "east", PolicyInputs(health: down, now: Self.now)).target == "south")
    // Cooldown: an automatic failover five minutes ago.
    let recent = PolicyInputs(health: down, recentAutomatic: [Self.now.addingTimeInterval(-300)], now: Self.now)
    #expect(e.decide(service: service, active: "east", recent).guardName == "cooldown")
    // Rate: three in the hour, the last 20 minutes ago.
    let many = PolicyInputs(
      health: down, recentAutomatic: [-3000.0, -2400, -1200].map { Self.now.addingTimeInterval($0) }, now: Self.now)
    #expect(e.decide(service: service, active: "east", many).guardName == "maxFailovers")
    // RPO budget: south is 500 records behind, the budget 100; unknown lag refuses too.
    e = PolicyEvaluator(
      policy: try Self.policy("trigger: {any: [{clusterUnreachable: {for: 0s}}]}\nguards: {maxLagRecords: 100}\n"),
      topology: Self.topology)
    let behind = PolicyInputs(health: down, lagRecords: ["east->south": 500], now: Self.now)
    #expect(e.decide(service: service, active: "east", behind).guardName == "maxLagRecords")
    #expect(
      e.decide(service: service, active: "east", PolicyInputs(health: down, now: Self.now)).guardName == "maxLagRecords"
    )
    let within = PolicyInputs(health: down, lagRecords: ["east->south": 50], now: Self.now)
    #expect(e.decide(service: service, active: "east", within).target == "south")
  }

  /// MM2 checkpoints only partitions it has synced: a flow with no offset-sync at all has
  /// nothing to checkpoint, so a missing checkpoint passes there and refuses elsewhere.
  @Test func aMissingCheckpointRefusesOnlyWhereMM2HadSomethingToCheckpoint() throws {
    let down = Self.judged([
      "east": [.unreachable, .unreachable, .unreachable], "west": [.healthy], "south": [.healthy],
    ])
    let e = PolicyEvaluator(
      policy: try Self.policy(
        "trigger: {any: [{clusterUnreachable: {for: 0s}}]}\nguards: {maxLagRecords: 100, maxCheckpointAge: 2m}\n"),
      topology: Self.topology)
    var idle = PolicyInputs(health: down, lagRecords: ["east->west": 0], now: Self.now)
    #expect(e.decide(service: service, active: "east", idle).guardName == "maxCheckpointAge")
    idle.unsyncedFlows = ["east->west"]
    #expect(e.decide(service: service, active: "east", idle).target == "west")
    // A stale checkpoint still refuses, synced or not.
    idle.checkpointAgeSeconds = ["east->west": 600]
    #expect(e.decide(service: service, active: "east", idle).guardName == "maxCheckpointAge")
  }

  @Test func blackoutsManualApprovalAndLagTriggers() throws {
    let down = Self.judged([
      "east": [.unreachable, .unreachable, .unreachable], "west": [.healthy], "south": [.healthy],
    ])
    let blackout = try Self.policy(
      "trigger: {any: [{clusterUnreachable: {for: 0s}}]}\nguards: {blackouts: [{days: [mon], from: \"15:00\", to: \"17:00\"}]}\n"
    )
    #expect(
      PolicyEvaluator(policy: blackout, topology: Self.topology).decide(
        service: service, active: "east", PolicyInputs(health: down, now: Self.now)
      ).guardName == "blackouts")
    let manual = try Self.policy("trigger: {any: [{clusterUnreachable: {for: 0s}}]}\nguards: {approval: manual}\n")
    #expect(
      PolicyEvaluator(policy: manual, topology: Self.topology).decide(
        service: service, active: "east", PolicyInputs(health: down, now: Self.now))
        == .pending(target: "west", reason: "east unreachable from 1 vantage point(s): v1"))
    let lagging = try Self.policy(
      "trigger: {all: [{clusterUnreachable: {for: 0s}}, {lagAbove: {records: 10, for: 30s}}]}\n")
    let e = PolicyEvaluator(policy: lagging, topology: Self.topology)
    let young = PolicyInputs(
      health: down, lagRecords: ["east->west": 20],
      lagAboveSince: [LagThreshold(flow: "east->west", records: 10): Self.now.addingTimeInterval(-5)],
      now: Self.now)
    #expect(e.decide(service: service, active: "east", young) == .quiet)
    let old = PolicyInputs(
      health: down, lagRecords: ["east->west": 20],
      lagAboveSince: [LagThreshold(flow: "east->west", records: 10): Self.now.addingTimeInterval(-60)],
      now: Self.now)
    #expect(e.decide(service: service, active: "east", old).target == "west")
  }
}

extension PolicyDecision {
  var target: String? {
    switch self {
    case .failover(let t, _), .pending(let t, _): t
    default: nil
    }
  }
  var guardName: String? {
    if case .refused(let g, _) = self { return g }
    return nil
  }
}

@Suite("Policy simulation over stored probe history")
struct PolicySimulationTests {
  @Test func listsWhenThePolicyWouldHaveFiredAndWhatRefusedLater() throws {
    let topology = PolicyEvaluatorTests.topology
    let policy = try PolicyEvaluatorTests.policy(
      "trigger: {any: [{clusterUnreachable: {for: 0s}}]}\nguards: {cooldown: 10m}\n")
    let t0 = PolicyEvaluatorTests.now
    var history: [ProbeResult] = []
    func round(_ i: Int, _ states: [String: HealthState]) {
      for (c, s) in states.sorted(by: { $0.key < $1.key }) {
        history.append(
          ProbeResult(
            kind: .kafka, subject: c, state: s, reasons: [], latencyMilliseconds: 1, vantage: "v",
            at: t0.addingTimeInterval(Double(i) * 5)))
      }
    }
    for i in 0..<3 { round(i, ["east": .healthy, "west": .healthy, "south": .healthy]) }
    for i in 3..<6 { round(i, ["east": .unreachable, "west": .healthy, "south": .healthy]) }
    // Then west fails too, two minutes later: the cooldown refuses a second failover.
    for i in 30..<33 { round(i, ["east": .unreachable, "west": .unreachable, "south": .healthy]) }
    let events = PolicySimulation(policy: policy, topology: topology).run(
      history: history, services: topology.services)
    #expect(events.map(\.decision) == [.failover, .quiet, .refused])
    #expect(events[0].target == "west")
    #expect(events[0].at == t0.addingTimeInterval(25))
    #expect(events[2].reason.hasPrefix("cooldown"))
  }
}
