import Foundation
import KafkaClient
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

/// Three regions writing to their own clusters, replicated both ways between every pair;
/// one region's clients move, and only theirs. Every seam faked, as in `DecisionWorld`.
@Suite("Active-active: one region's clients move, with the offsets of every topic they read")
struct ActiveActiveTests {
  static let names = ["east", "west", "central"]

  static let topology: Topology = {
    var flows: [Flow] = []
    for a in names { for b in names where a != b { flows.append(Flow(source: a, target: b)) } }
    return Topology(
      regions: names.map { Region(name: $0) },
      clusters: names.map { Cluster(name: $0, region: $0, bootstrapServers: "\($0):9092") }, flows: flows,
      services: [
        Service(
          name: "orders", mode: .activeActive, primary: "east", standbys: ["west", "central"], topics: ["orders"],
          homes: names.map { RegionHome(region: $0, cluster: $0, consumerGroups: ["app-\($0)"]) })
      ])
  }()

  struct World {
    let store = InMemoryCoordinationStore()
    let kafka = InMemoryKafkaClusters(ActiveActiveTests.names)
    let connect = RecordingConnect()
    let clock = TestClock()
    let published = PublishedStates()
    let mm2: StateStore

    /// east's group `app-east` has read east's own `orders` to 40 (MM2 checkpointed it
    /// as 38 on west), `west.orders` to 25 and `central.orders` to 12 (recorded by the
    /// orchestrator while east was up). Copies are offset from their originals so that
    /// a translation that forgets a hop shows.
    init() async throws {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aa-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      mm2 = try await StateStore.open(path: dir.appendingPathComponent("local.db").path)
      try await store.ensureServices(ActiveActiveTests.topology)
      func syncs(_ flow: String, _ pairs: [(Int64, Int64)]) async throws {
        var batch = MM2Batch()
        for (u, d) in pairs {
          batch.syncInserts.append(
            .init(topic: "orders", partition: 0, sync: .init(upstream: u, downstream: d), timestamp: 0))
        }
        try await mm2.apply(batch, flow: flow)
      }
      // east's orders → west's east.orders (downstream = upstream - 2), with a checkpoint.
      try await syncs("east->west", [(0, 0), (40, 38)])
      var cp = MM2Batch()
      cp.checkpoints.append(
        .init(
          checkpoint: Checkpoint(
            group: "app-east", topic: "orders", partition: 0, upstreamOffset: 40, downstreamOffset: 38),
          timestamp: 1_000))
      try await mm2.apply(cp, flow: "east->west")
      // west's orders → east's west.orders (downstream = upstream - 5).
      try await syncs("west->east", [(5, 0), (20, 15), (30, 25)])
      // central's orders → east's central.orders (downstream = upstream - 3) and → west's
      // central.orders (downstream = upstream + 7).
      try await syncs("central->east", [(3, 0), (10, 7)])
      try await syncs("central->west", [(0, 7), (10, 17), (15, 22)])
      try await mm2.recordGroupOffsets(
        cluster: "east", group: "app-east",
        [TopicPartition("west.orders", 0): 25, TopicPartition("central.orders", 0): 12])
      for name in ActiveActiveTests.names {
        let others = ActiveActiveTests.names.filter { $0 != name }
        kafka[name].topic("orders", highs: [60])
        for o in others { kafka[name].topic("\(o).orders", highs: [60]) }
      }
    }

    func executor() -> FailoverExecutor {
      let published = self.published
      return FailoverExecutor(
        topology: ActiveActiveTests.topology, store: store, mm2: mm2, kafka: kafka, connect: connect,
        refresh: ScriptedMM2Refresh(), clock: clock, publish: { published.append($0) })
    }

    var switcher: ServiceSwitch {
      ServiceSwitch(topology: ActiveActiveTests.topology, store: store, mm2: mm2, kafka: kafka)
    }
  }

  @Test func lanesAreTheRegionsOfTheService() throws {
    let t = Self.topology
    #expect(t.lanes.map(\.name) == ["orders@east", "orders@west", "orders@central"])
    let east = try #require(t.service("orders@east"))
    #expect(east.primary == "east" && east.standbys == ["west", "central"])
    #expect(east.consumerGroups == ["app-east"] && east.region == "east" && east.baseName == "orders")
    #expect(t.service("orders@north") == nil)
    #expect(t.service("orders")?.mode == .activeActive)
  }

  @Test func aFailoverOfEastMovesOnlyEastsClientsWithEveryTopicTheyRead() async throws {
    let w = try await World()
    w.kafka["east"].setDown(true)
    let outcome = try await w.switcher.failover(
      service: "orders@east", to: nil, health: ["east": .unreachable, "west": .healthy, "central": .healthy],
      reason: "test", actor: "test", lastKnownLoss: { _ in 0 })
    #expect(outcome.toCluster == "west")
    let finished = await w.executor().run(try #require(outcome.failover), settings: FailoverSettings())
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    #expect(finished.step(.reconfigureReplication)?.status == .skipped)
    #expect(w.connect.calls.isEmpty)
    // Only east's lane changed; west's and central's documents never did.
    #expect(Set(w.published.all.map { $0.service }) == ["orders@east"])
    let states = try await w.store.serviceStates()
    #expect(states.first { $0.service == "orders@east" }?.activeCluster == "west")
    #expect(states.first { $0.service == "orders@east" }?.epoch == 3)
    for other in ["orders@west", "orders@central"] {
      #expect(states.first { $0.service == other }?.epoch == 1)
    }
    let written = w.kafka["west"].state.withLock { $0.committed["app-east"] ?? [:] }
    // east's own topic: MM2's checkpoint.
    #expect(written[TopicPartition("east.orders", 0)] == 38)
    // west's writes, read on east as west.orders at 25: the sync 30->25 maps it exactly.
    #expect(written[TopicPartition("orders", 0)] == 30)
    // central's, read on east at 12: past the sync 10->7, so central's 11; on to west
    // through 10->17: one past it, 18.
    #expect(written[TopicPartition("central.orders", 0)] == 18)
    #expect(w.kafka["west"].state.withLock { $0.committed["app-west"] } == nil)
  }

  @Test func theDryRunListsTheRemoteCopiesWithTheirBasis() async throws {
    let w = try await World()
    let outcome = try await w.switcher.promote(
      service: "orders@east", PromoteRequest(target: "central", mode: .planned, dryRun: true, reason: "plan"),
      actor: "test", targetHealth: .healthy)
    let byTopic = Dictionary(uniqueKeysWithValues: (outcome.translations ?? []).map { ($0.sourceTopic, $0) })
    // east is up: the group's live offsets are read; it committed none, so the copies fall
    // back to what was recorded.
    #expect(byTopic["west.orders"]?.targetTopic == "west.orders")
    #expect(byTopic["central.orders"]?.targetTopic == "orders")
    #expect(byTopic["central.orders"]?.translatedOffset == 11)
    #expect(byTopic["central.orders"]?.basis.contains("backwards") == true)
    #expect(outcome.plan.contains { $0.contains("leave replication as it is") })
  }

  @Test func liveOffsetsOfTheClusterLeftWinOverRecordedOnes() async throws {
    let w = try await World()
    w.kafka["east"].state.withLock { $0.committed["app-east"] = [TopicPartition("west.orders", 0): 15] }
    let lane = try #require(Self.topology.service("orders@east"))
    let t = try await RemoteCopyTranslation(topology: Self.topology, store: w.mm2, lane: lane).translate(
      from: "east", to: "west", source: w.kafka["east"])
    let copy = try #require(t.first { $0.sourceTopic == "west.orders" })
    #expect(copy.upstreamFrom == "live" && copy.upstreamOffset == 15 && copy.translatedOffset == 20)
  }

  /// Backwards along a flow, against simulated replication with filtered records and
  /// sparse syncs: a group resumes on the original no later than the first record whose
  /// copy it has not consumed, and re-reads no more copies than the bound says.
  @Test(arguments: 0..<100) func backwardsNeverSkipsAndTheBoundHolds(seed: Int) {
    var rng = SplitMix64(state: UInt64(seed) &+ 7_777)
    let replication = SimulatedReplication(records: Int64.random(in: 1...2_000, using: &rng), rng: &rng)
    let history = OffsetSyncHistory(syncs: replication.syncs)
    let copies = replication.downstreamOf.sorted { $0.value < $1.value }
    guard let last = copies.last?.value else { return }
    for _ in 0..<50 {
      let committed = Int64.random(in: (copies[0].value)...(last + 1), using: &rng)
      let r = OffsetTranslator.viaOffsetSyncBackwards(committed: committed, history: history)
      guard let resume = r.offset else { continue }
      // Every original whose copy was not consumed is at or after the resume point.
      for (u, d) in copies where d >= committed { #expect(u >= resume, "seed \(seed): skipped \(u)") }
      let reread = copies.filter { $0.key >= resume && $0.value < committed }.count
      #expect(Int64(reread) <= r.redeliveryBound!, "seed \(seed)")
    }
  }
}
