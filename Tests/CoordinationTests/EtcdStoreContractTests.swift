import Foundation
import KafkaClient
import Orchestrator
import TestSupport
import Testing
import Topology

enum DecisionWorldTopology {
  static var topology: Topology { DecisionWorld.topology }
}

/// The executor and switch decisions that run on the in-memory and SQLite stores, run
/// again with the coordination store on real etcd members.
@Suite("The decisions on the etcd coordination store", .serialized)
struct EtcdStoreContractTests {
  static let partitions = (0..<3).map { TopicPartition("east.orders", Int32($0)) }

  /// A world on etcd whose leader keeps renewing (as `serve`'s loop does) until the
  /// returned task is cancelled: a slow machine must not make a test outlive its lease.
  func world(_ f: EtcdFixture) async throws -> (DecisionWorld, EtcdCoordinationStore, Task<Void, Never>) {
    let leader = f.leader("a", ttl: .seconds(10))
    try #require(await EtcdFixture.lead(leader).isLeader)
    let renewing = Task { await leader.run() }
    let store = f.store(leader)
    return (try await DecisionWorld(store: store), store, renewing)
  }

  /// An active-active service on etcd: each client region is a key of its own with its
  /// own epoch; a failover of east's clients moves that lane only, with the offsets of
  /// every topic they read.
  @Test func oneRegionOfAnActiveActiveServiceMovesAloneOnEtcd() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let leader = f.leader("a", ttl: .seconds(10))
    try #require(await EtcdFixture.lead(leader).isLeader)
    let renewing = Task { await leader.run() }
    defer { renewing.cancel() }
    let store = f.store(leader)
    let w = try await ActiveActiveWorld(store: store)
    #expect(Set(try await store.serviceStates().map(\.service)) == ["orders@east", "orders@west", "orders@central"])
    w.kafka["east"].setDown(true)
    let outcome = try await w.switcher.failover(
      service: "orders@east", to: nil, health: ["east": .unreachable, "west": .healthy, "central": .healthy],
      reason: "test", actor: "test", lastKnownLoss: { _ in 0 })
    let finished = await w.executor().run(try #require(outcome.failover), settings: FailoverSettings())
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    let states = Dictionary(uniqueKeysWithValues: try await store.serviceStates().map { ($0.service, $0) })
    #expect(states["orders@east"]?.activeCluster == "west" && states["orders@east"]?.epoch == 3)
    #expect(states["orders@west"]?.epoch == 1 && states["orders@central"]?.epoch == 1)
    let written = w.kafka["west"].state.withLock { $0.committed["app-east"] ?? [:] }
    #expect(written[TopicPartition("east.orders", 0)] == 38 && written[TopicPartition("orders", 0)] == 30)
    #expect(written[TopicPartition("central.orders", 0)] == 18)
    #expect(try await store.failovers(service: "orders@east", limit: 10).count == 1)
    #expect(try await store.failovers(service: "orders@west", limit: 10).isEmpty)
  }

  @Test func aPlannedPromoteRunsToTheEndOnEtcd() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let (w, store, renewing) = try await world(f)
    defer { renewing.cancel() }
    let finished = await w.executor().run(try await w.open(), settings: w.settings)
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    #expect(finished.steps.allSatisfy { $0.status == ($0.name == .waitForLeases ? .skipped : .done) })
    let state = try await store.serviceState("orders")
    #expect(state?.activeCluster == "west" && state?.epoch == 3)
    #expect(try await store.openFailovers().isEmpty)
    for tp in Self.partitions { #expect(w.committed("west", "orders-svc", tp) == 100) }
    let audit = try await store.auditLog(limit: 10, before: nil)
    #expect(audit.first?.action == .finished(.promote))
    #expect(try await store.auditLog(limit: 10, before: audit.first?.id).count == audit.count - 1)
  }

  @Test func aKillAfterWriteOffsetsThenAResumeByTheNextLeaderEndsLikeAnUninterruptedRun() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let (w, store, renewing) = try await world(f)
    let record = try await w.open()
    _ = await w.executor(Failpoints(halting: [(.after, .writeOffsets)])).run(record, settings: w.settings)
    // The leader dies; another instance leads and resumes from the shared journal.
    renewing.cancel()
    await renewing.value
    await store.leader.resign()
    let next = f.leader("b", ttl: .seconds(10))
    guard case .leader = await EtcdFixture.lead(next) else {
      Issue.record("no new leader")
      return
    }
    let nextRenewing = Task { await next.run() }
    defer { nextRenewing.cancel() }
    let nextStore = f.store(next)
    let w2 = try await DecisionWorld(store: nextStore)
    // The second world's Kafka is fresh: give it what the first one wrote (the target's offsets).
    for tp in Self.partitions {
      let o = w.committed("west", "orders-svc", tp)
      w2.kafka["west"].state.withLock { $0.committed["orders-svc", default: [:]][tp] = o }
    }
    let open = try await nextStore.openFailovers()
    #expect(open.map(\.id) == [record.id])
    let finished = await w2.executor().run(open[0], settings: w2.settings)
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    // Nothing done twice: the offsets were already there.
    #expect(finished.step(.writeOffsets)?.status == .done)
    let state = try await nextStore.serviceState("orders")
    #expect(state?.activeCluster == "west" && state?.epoch == 3 && state?.writable == true)
    #expect(try await nextStore.failovers(service: "orders", limit: 10).count == 1)
  }

  @Test func theStoreRefusesASecondOpenFailoverAndAStaleEpoch() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let (w, _, renewing) = try await world(f)
    defer { renewing.cancel() }
    _ = try await w.open()
    await #expect(throws: ControlError.self) { _ = try await w.open() }
  }

  /// A state change whose answer was lost is sent again by the executor's retry: when it
  /// was applied, the retry gets the state it made, not a conflict; a change that was not
  /// applied is still fenced by the epoch.
  @Test func aRetriedStateChangeThatWasAppliedIsNotAConflict() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let (w, store, renewing) = try await world(f)
    defer { renewing.cancel() }
    let record = try await w.open()
    let fence = ServiceChange(activeCluster: "east", state: .failingOver, writable: false)
    let first = try await store.finishStep(
      failover: record.id, step: .fenceSource, details: "fenced", service: "orders", expectedEpoch: 1, change: fence)
    let again = try await store.finishStep(
      failover: record.id, step: .fenceSource, details: "fenced", service: "orders", expectedEpoch: 1, change: fence)
    #expect(first.epoch == 2)
    #expect(again == first)
    #expect(try await store.serviceState("orders")?.epoch == 2)
    await #expect(throws: StoreError.self) {
      _ = try await store.finishStep(
        failover: record.id, step: .switchDiscovery, details: "switched", service: "orders", expectedEpoch: 1,
        change: ServiceChange(activeCluster: "west"))
    }
  }

  /// A leader stops renewing (frozen) with a failover half done; the next leader finishes
  /// it, pausing replication with its own token; woken, the old leader's executor acts no
  /// more. Every Connect call carries the token of the leader that made it, and none with
  /// the old token comes after one with the new.
  @Test func aFrozenLeaderWakesAndMakesNoCallAfterTheNextLeaderTookOver() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let a = f.leader("a", ttl: .seconds(5))
    guard case .leader(let tokenA) = await EtcdFixture.lead(a) else {
      Issue.record("a did not lead")
      return
    }
    let wa = try await DecisionWorld(store: f.store(a))
    // payments moves first (east keeps orders, so replication out of east keeps running);
    // then orders, whose move pauses it, gets as far as the replication step.
    let payments = await wa.executor().run(try await wa.open("payments"), settings: wa.settings)
    try #require(payments.status == .succeeded, "\(payments.error ?? "")")
    let record = try await wa.open()
    _ = await wa.executor(Failpoints(halting: [(.before, .reconfigureReplication)])).run(record, settings: wa.settings)
    // a renews no more: its deadline passes, then its lease expires and b leads.
    let b = f.leader("b", ttl: .seconds(10))
    guard case .leader(let tokenB) = await EtcdFixture.lead(b, within: .seconds(15)) else {
      Issue.record("b did not lead")
      return
    }
    let renewing = Task { await b.run() }
    defer { renewing.cancel() }
    let storeB = f.store(b)
    let wb = try await DecisionWorld(store: storeB, connect: wa.connect)
    for tp in Self.partitions {
      let o = wa.committed("west", "orders-svc", tp)
      wb.kafka["west"].state.withLock { $0.committed["orders-svc", default: [:]][tp] = o }
    }
    let open = try await storeB.openFailovers()
    try #require(open.map(\.id) == [record.id])
    let finished = await wb.executor().run(open[0], settings: wb.settings)
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")

    // a wakes and carries on from what it knew: it stops before acting.
    #expect(!(await a.leadership.isLeader))
    let before = wa.connect.calls.count
    _ = await wa.executor().run(record, settings: wa.settings)
    #expect(wa.connect.calls.count == before)
    let tokens = wa.connect.calls.map(\.fencingToken)
    #expect(wa.connect.calls.map(\.verb) == [.pause])
    #expect(tokens.contains(tokenB))
    #expect(tokens.allSatisfy { $0 == tokenA || $0 == tokenB })
    if let first = tokens.firstIndex(of: tokenB) { #expect(!tokens[first...].contains(tokenA)) }
    #expect(try await storeB.serviceState("orders")?.epoch == 3)
  }
}
