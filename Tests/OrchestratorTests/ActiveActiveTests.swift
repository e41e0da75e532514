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
  typealias World = ActiveActiveWorld
  static var topology: Topology { ActiveActiveWorld.topology }

  @Test func lanesAreTheRegionsOfTheService() throws {
    let t = Self.topology
    #expect(t.lanes.map(\.name) == ["orders@east", "orders@west", "orders@central"])
    let east = try #require(t.service("orders@east"))
    #expect(east.primary == "east" && east.standbys == ["west", "central"])
    #expect(east.consumerGroups == ["app-east"] && east.region == "east" && east.baseName == "orders")
    #expect(t.service("orders@north") == nil)
    #expect(t.service("orders")?.mode == .activeActive)
    // The lane's identity keeps service and region apart; `@` appears only when written.
    #expect(east.id == LaneID(service: "orders", region: "east") && east.id.description == "orders@east")
    #expect(t.service(LaneID(service: "orders", region: "west"))?.primary == "west")
    #expect(LaneID(parsing: "payments") == LaneID(service: "payments") && LaneID(parsing: "payments").region == nil)
    #expect(t.lanes.map(\.id).sorted().map(\.description) == ["orders@central", "orders@east", "orders@west"])
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

  /// The flows the copies came through cannot be read (a cluster at one end is the dead
  /// one): the failover goes on with the offset-syncs stored so far, and says so.
  @Test func copiesThatCannotBeRefreshedAreTranslatedFromWhatWasStored() async throws {
    struct Unreadable: Error {}
    let w = try await World(
      refresh: ScriptedMM2Refresh { flow, _ in if flow.name != "east->west" { throw Unreadable() } })
    w.kafka["east"].setDown(true)
    let outcome = try await w.switcher.failover(
      service: "orders@east", to: "west", health: ["east": .unreachable, "west": .healthy, "central": .healthy],
      reason: "test", actor: "test", lastKnownLoss: { _ in 0 })
    let finished = await w.executor().run(try #require(outcome.failover), settings: FailoverSettings())
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    let details = finished.step(.refreshCheckpoints)?.details ?? ""
    #expect(
      details.contains("west->east: stored state") && details.contains("central->west: stored state"), "\(details)")
    #expect(w.refresh.calls == 4)  // east->west, and the three flows of the copies
    let written = w.kafka["west"].state.withLock { $0.committed["app-east"] ?? [:] }
    #expect(written[TopicPartition("orders", 0)] == 30 && written[TopicPartition("central.orders", 0)] == 18)
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
