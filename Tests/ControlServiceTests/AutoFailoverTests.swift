import Foundation
import HealthProbes
import KafkaClient
import Logging
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

@testable import ControlService

/// The automatic failover driven by a test clock: a trigger's `for`, the cooldown, the
/// rate cap and the RPO budget, each decided at the instant the clock says, in process.
@Suite("Automatic failover on a test clock")
struct AutoFailoverTests {
  static let topology = Topology(
    regions: [Region(name: "r-east"), Region(name: "r-west"), Region(name: "r-central")],
    clusters: [
      Cluster(name: "east", region: "r-east", bootstrapServers: "east:9092"),
      Cluster(name: "west", region: "r-west", bootstrapServers: "west:9092"),
    ],
    flows: [Flow(source: "east", target: "west"), Flow(source: "west", target: "east")],
    services: [
      Service(
        name: "orders", primary: "east", standbys: ["west"], topics: ["orders"], consumerGroups: ["orders-svc"],
        policy: "auto")
    ])

  static let policyYAML = """
    version: 1
    trigger:
      any:
        - clusterUnreachable: {for: 10s}
    guards:
      maxLagRecords: 100
      healthyTarget: true
      cooldown: 10m
      maxFailovers: {count: 1, per: 1h}
      approval: automatic
    action:
      replication: none
    """

  /// The same two clusters with `orders` active-active: a home and a group per region.
  static let activeActive: Topology = {
    var t = topology
    t.regions = [Region(name: "r-east"), Region(name: "r-west")]
    t.services = [
      Service(
        name: "orders", mode: .activeActive, primary: "east", standbys: ["west"], topics: ["orders"], policy: "auto",
        homes: [
          RegionHome(region: "r-east", cluster: "east", consumerGroups: ["orders-east"]),
          RegionHome(region: "r-west", cluster: "west", consumerGroups: ["orders-west"]),
        ])
    ]
    return t
  }()

  struct World {
    let topology: Topology
    let clock = TestClock()
    let store = InMemoryCoordinationStore()
    let kafka = InMemoryKafkaClusters(["east", "west"])
    let runtime: ControlRuntime
    let auto: AutoFailover

    /// - Parameters:
    ///   - quorum: vantage points needed; `region`: where this instance runs (nil: standalone).
    init(
      policy yaml: String = AutoFailoverTests.policyYAML, quorum: Int = 1, region: String? = nil,
      topology: Topology = AutoFailoverTests.topology
    ) async throws {
      self.topology = topology
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("auto-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      let local = try await StateStore.open(path: dir.appendingPathComponent("local.db").path)
      let policy = try PolicyLoader.parse(
        yaml: yaml, file: "auto.yaml", defaultName: "auto", topology: topology)
      _ = try await store.ensureServices(topology)
      runtime = ControlRuntime(
        topology: topology, store: store, local: local,
        health: HealthBoard(
          model: HealthModel(hysteresis: Hysteresis(failuresToDown: 1, successesToUp: 1), quorum: quorum),
          expected: [], localRegion: region,
          regions: Dictionary(uniqueKeysWithValues: topology.clusters.map { ($0.name, $0.region) })),
        http: .init(maxConcurrentRequests: 1), kafka: kafka, connect: RecordingConnect(),
        refresh: ScriptedMM2Refresh(), policies: ["auto": policy], clock: clock, logger: Logger(label: "test"))
      let clock = self.clock
      auto = AutoFailover(
        topology: runtime.topology, store: runtime.store, health: runtime.health, lagBook: runtime.lagBook,
        switcher: runtime.switcher, runner: runtime.runner, policies: ["auto": policy], clock: runtime.clock,
        now: { clock.date }, logger: Logger(label: "test"))
      // Both ways synced up to 100 of 101 records: nothing behind.
      var batch = MM2Batch()
      batch.syncInserts.append(
        .init(topic: "orders", partition: 0, sync: .init(upstream: 100, downstream: 100), timestamp: 0))
      try await local.apply(batch, flow: "east->west")
      try await local.apply(batch, flow: "west->east")
      for (cluster, topic) in [("east", "orders"), ("west", "orders")] { kafka[cluster].topic(topic, highs: [101]) }
    }

    /// Records a probe round at the clock's time, measures every flow's lag with the lag
    /// meter, then ticks once.
    func round(_ states: [String: HealthState], advance: Duration = .seconds(1)) async throws -> PolicyDecision? {
      try await decisions(states, advance: advance)["orders"]
    }

    /// The same round, every service's (or region's) decision.
    func decisions(_ states: [String: HealthState], advance: Duration = .seconds(1)) async throws
      -> [String: PolicyDecision]
    {
      clock.advance(by: advance)
      for (cluster, state) in states {
        await runtime.health.observe(
          ProbeResult(
            kind: .kafka, subject: cluster, state: state, reasons: state == .healthy ? [] : ["down"],
            latencyMilliseconds: 1, vantage: "b", at: clock.date))
        kafka[cluster].setDown(state == .unreachable)
      }
      await meter.round(now: clock.date)
      return await auto.tick()
    }

    var meter: LagMeter {
      LagMeter(
        topology: runtime.topology, local: runtime.local, health: runtime.health, lagBook: runtime.lagBook,
        kafka: runtime.kafka, clock: runtime.clock, logger: Logger(label: "test"))
    }

    func active(_ service: String = "orders") async throws -> String? {
      try await store.serviceState(service)?.activeCluster
    }

    /// Waits for the failover the last tick started, run by the runtime's executor.
    func settle(_ service: String = "orders") async throws -> FailoverRecord? {
      guard let open = try await store.failovers(service: service, limit: 1).first else { return nil }
      _ = await runtime.runner.finished(open.id)
      return try await store.failover(id: open.id)
    }
  }

  @Test func theTriggerHoldsForItsDurationThenTheServiceFailsOver() async throws {
    let w = try await World()
    #expect(try await w.round(["east": .healthy, "west": .healthy]) == .quiet)
    #expect(try await w.round(["east": .unreachable, "west": .healthy]) == .quiet)
    #expect(try await w.round(["east": .unreachable, "west": .healthy], advance: .seconds(5)) == .quiet)
    #expect(try await w.active() == "east")
    let decision = try await w.round(["east": .unreachable, "west": .healthy], advance: .seconds(6))
    guard case .failover(let target, _) = decision else {
      Issue.record("expected a failover after 11 s unreachable, got \(String(describing: decision))")
      return
    }
    #expect(target == "west")
    let finished = try await w.settle()
    #expect(finished?.status == .succeeded)
    #expect(finished?.requestedBy == "policy:auto")
    #expect(try await w.active() == "west")
  }

  /// An instance that starts (or leads) only after the source died has measured nothing of
  /// the flow itself: the lag the store kept from an earlier run and the checkpoints
  /// ingested from the living target stand in, and the RPO budget and the checkpoint age
  /// are checked against them instead of refusing for ever as unknown.
  @Test func anInstanceThatNeverSawTheSourceAliveChecksTheBudgetAgainstWhatItStored() async throws {
    let yaml = Self.policyYAML.replacingOccurrences(of: "{for: 10s}", with: "{for: 0s}")
      .replacingOccurrences(of: "maxLagRecords: 100", with: "maxLagRecords: 100\n  maxCheckpointAge: 2m")
    let w = try await World(policy: yaml)
    // What an earlier run stored: east's watermarks (1 record past the newest sync) and a
    // checkpoint 30 s old, ingested from west.
    let measuredAt = w.clock.date.addingTimeInterval(-30)
    try await w.runtime.local.recordSourcePartitions(
      flow: "east->west",
      [TopicPartition("orders", 0): SourcePartition(logStart: 0, highWatermark: 101, measuredAt: measuredAt)],
      measuredAt: measuredAt)
    var batch = MM2Batch()
    batch.checkpoints.append(
      .init(
        checkpoint: Checkpoint(
          group: "orders-svc", topic: "east.orders", partition: 0, upstreamOffset: 100, downstreamOffset: 100),
        timestamp: Int64(measuredAt.timeIntervalSince1970 * 1000)))
    try await w.runtime.local.apply(batch, flow: "east->west")
    // East is unreachable from this instance's first round on.
    guard case .failover(let target, _) = try await w.round(["east": .unreachable, "west": .healthy]) else {
      Issue.record("expected a failover from what the store holds, got \(await w.runtime.lagBook.snapshot)")
      return
    }
    #expect(target == "west")
    #expect(await w.runtime.lagBook.records("east->west") == 0)
    #expect(try await w.settle()?.status == .succeeded)
  }

  /// Without anything stored of the source, the budget cannot be checked: refused, and
  /// the reason says so.
  @Test func withNothingStoredOfTheSourceTheBudgetRefuses() async throws {
    let w = try await World(policy: Self.policyYAML.replacingOccurrences(of: "{for: 10s}", with: "{for: 0s}"))
    guard case .refused(let guardName, _) = try await w.round(["east": .unreachable, "west": .healthy]) else {
      Issue.record("expected a refusal")
      return
    }
    #expect(guardName == "maxLagRecords")
    #expect(try await w.active() == "east")
  }

  /// A verdict that changes is looked at at once, not at the next tick: the test clock
  /// never moves here, so the loop's once-a-second tick never comes, and the failover
  /// can only have been started by east turning unreachable.
  @Test func aClusterTurningUnreachableIsEvaluatedWithoutWaitingForTheTick() async throws {
    let w = try await World(policy: Self.policyYAML.replacingOccurrences(of: "{for: 10s}", with: "{for: 0s}"))
    #expect(try await w.round(["east": .healthy, "west": .healthy]) == .quiet)
    let loop = Task { await w.auto.loop() }
    defer { loop.cancel() }
    await w.runtime.health.observe(
      ProbeResult(
        kind: .kafka, subject: "east", state: .unreachable, reasons: ["down"], latencyMilliseconds: 1, vantage: "b",
        at: w.clock.date))
    w.kafka["east"].setDown(true)
    let started = await eventually("a failover started", timeout: .seconds(20), every: .milliseconds(20)) {
      (try? await w.store.failovers(service: "orders", limit: 1).first) != nil
    }
    #expect(started)
    #expect(try await w.settle()?.status == .succeeded)
    #expect(try await w.active() == "west")
  }

  /// Active-active: the policy decides for each client region; east's home dies, only
  /// east's clients move, and west's never see a decision to move.
  @Test func anActiveActiveServiceFailsOverOnlyTheRegionWhoseHomeDied() async throws {
    let w = try await World(topology: Self.activeActive)
    let first = try await w.decisions(["east": .healthy, "west": .healthy])
    #expect(first == ["orders@r-east": .quiet, "orders@r-west": .quiet])
    _ = try await w.decisions(["east": .unreachable, "west": .healthy])
    let decided = try await w.decisions(["east": .unreachable, "west": .healthy], advance: .seconds(11))
    guard case .failover("west", _)? = decided["orders@r-east"] else {
      Issue.record("east's clients were not moved: \(decided)")
      return
    }
    #expect(decided["orders@r-west"] == .quiet)
    #expect(try await w.settle("orders@r-east")?.status == .succeeded)
    #expect(try await w.active("orders@r-east") == "west")
    #expect(try await w.store.serviceState("orders@r-west")?.epoch == 1)
    #expect(try await w.store.failovers(service: "orders@r-west", limit: 5).isEmpty)
  }

  @Test func theCooldownThenTheRateCapRefuseASecondFailoverUntilTheirWindowsPass() async throws {
    let w = try await World()
    _ = try await w.round(["east": .healthy, "west": .healthy])
    _ = try await w.round(["east": .unreachable, "west": .healthy])
    _ = try await w.round(["east": .unreachable, "west": .healthy], advance: .seconds(11))
    #expect(try await w.settle()?.status == .succeeded)
    // Now west dies and east is back: within 10 minutes the cooldown refuses.
    _ = try await w.round(["east": .healthy, "west": .unreachable])
    let cooling = try await w.round(["east": .healthy, "west": .unreachable], advance: .seconds(11))
    #expect(
      cooling.map { if case .refused("cooldown", _) = $0 { true } else { false } } == true,
      "\(String(describing: cooling))")
    // After the cooldown, the rate cap (1 per hour) still refuses.
    let capped = try await w.round(["east": .healthy, "west": .unreachable], advance: .seconds(11 * 60))
    #expect(
      capped.map { if case .refused("maxFailovers", _) = $0 { true } else { false } } == true,
      "\(String(describing: capped))")
    #expect(try await w.active() == "west")
    // Past the hour, it fails over again.
    let again = try await w.round(["east": .healthy, "west": .unreachable], advance: .seconds(50 * 60))
    #expect(
      again.map { if case .failover("east", _) = $0 { true } else { false } } == true, "\(String(describing: again))")
    #expect(try await w.settle()?.status == .succeeded)
    #expect(try await w.active() == "east")
  }

  @Test func theRPOBudgetRefusesAFailoverThatWouldLoseMoreThanItAllows() async throws {
    let w = try await World()
    // East took 899 records the flow never replicated before it died.
    w.kafka["east"].topic("orders", highs: [1000])
    _ = try await w.round(["east": .healthy, "west": .healthy])
    _ = try await w.round(["east": .unreachable, "west": .healthy])
    let decision = try await w.round(["east": .unreachable, "west": .healthy], advance: .seconds(11))
    #expect(
      decision.map { if case .refused("maxLagRecords", _) = $0 { true } else { false } } == true,
      "\(String(describing: decision))")
    #expect(try await w.store.openFailovers().isEmpty)
    #expect(try await w.active() == "east")
  }

  /// Another instance's verdict on east, as the vote round would bring it in.
  static func vote(_ vantage: String, _ region: String, _ state: HealthState, since: Date) -> VantageVote {
    VantageVote(
      subject: "east", vantage: vantage, region: region, state: state, reasons: state == .healthy ? [] : ["down"],
      since: since, at: since)
  }

  /// Three instances, quorum 2: this one (b, in west) sees east unreachable; a, inside
  /// east's own region, agrees but does not count; only when c (central) agrees does the
  /// service fail over.
  @Test func aQuorumOfTwoVantagePointsOutsideTheRegionIsNeeded() async throws {
    let yaml = Self.policyYAML.replacingOccurrences(
      of: "    - clusterUnreachable: {for: 10s}", with: "    - clusterUnreachable: {for: 10s}\n  quorum: 2")
    let w = try await World(policy: yaml, quorum: 2, region: "r-west")
    _ = try await w.round(["east": .healthy, "west": .healthy])
    let down = w.clock.date
    await w.runtime.health.setRemote([
      Self.vote("a", "r-east", .unreachable, since: down), Self.vote("c", "r-central", .healthy, since: down),
    ])
    _ = try await w.round(["east": .unreachable, "west": .healthy])
    #expect(try await w.round(["east": .unreachable, "west": .healthy], advance: .seconds(20)) == .quiet)
    let judged = await w.runtime.health.health(of: "east")
    #expect(judged?.state == .degraded)
    #expect(judged?.unreachableFrom == ["b"])
    #expect(judged?.votes.map(\.vantage) == ["a", "b", "c"])
    #expect(judged?.reasons.contains("1 vantage point(s) inside r-east not counted") == true)
    #expect(try await w.active() == "east")

    await w.runtime.health.setRemote([
      Self.vote("a", "r-east", .unreachable, since: down),
      Self.vote("c", "r-central", .unreachable, since: w.clock.date),
    ])
    #expect(try await w.round(["east": .unreachable, "west": .healthy]) == .quiet)  // c's `for` has not passed
    let decision = try await w.round(["east": .unreachable, "west": .healthy], advance: .seconds(11))
    guard case .failover("west", let reason) = decision else {
      Issue.record("expected a failover with two votes from outside r-east, got \(String(describing: decision))")
      return
    }
    #expect(reason == "east unreachable from 2 vantage point(s): b, c")
    #expect(try await w.settle()?.status == .succeeded)
  }

  /// `sameRegionVotes: count`: the vote from inside east's region makes the quorum.
  @Test func aPolicyMayCountTheVotesFromInsideTheRegion() async throws {
    let yaml = Self.policyYAML.replacingOccurrences(
      of: "    - clusterUnreachable: {for: 10s}",
      with: "    - clusterUnreachable: {for: 10s}\n  quorum: 2\n  sameRegionVotes: count")
    let w = try await World(policy: yaml, quorum: 2, region: "r-west")
    _ = try await w.round(["east": .healthy, "west": .healthy])
    await w.runtime.health.setRemote([Self.vote("a", "r-east", .unreachable, since: w.clock.date)])
    _ = try await w.round(["east": .unreachable, "west": .healthy])
    let decision = try await w.round(["east": .unreachable, "west": .healthy], advance: .seconds(11))
    #expect(decision == .failover(target: "west", reason: "east unreachable from 2 vantage point(s): a, b"))
  }
}
