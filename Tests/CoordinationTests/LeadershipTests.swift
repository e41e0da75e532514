import Etcd
import Foundation
import Orchestrator
import TestSupport
import Testing

@Suite("Leadership with fencing on real etcd members", .serialized)
struct LeadershipTests {
  @Test func oneLeaderAtATimeAndTheTokenGrowsAcrossLeaders() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let a = f.leader("a")
    let b = f.leader("b")
    let first = await EtcdFixture.lead(a)
    await b.step()
    #expect(first.isLeader)
    #expect(await b.leadership == .follower(leader: "a"))
    guard case .leader(let t1) = first else { return }
    await a.resign()
    guard case .leader(let t2) = await EtcdFixture.lead(b) else {
      Issue.record("b did not take over after a resigned")
      return
    }
    #expect(t2 > t1)
  }

  @Test func aDeposedLeadersGuardedWriteIsRefused() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    // A long lease: a must still believe it leads when it writes, however slow the machine.
    let a = f.leader("a", ttl: .seconds(30))
    #expect(await EtcdFixture.lead(a).isLeader)
    let storeA = f.store(a)
    _ = try await storeA.ensureServices(DecisionWorldTopology.topology)
    // Another instance takes the key as if a's lease had expired in etcd while a still
    // believes it leads (etcd 3.4 can renew a cut-off leader's lease: its deadline alone
    // does not prove leadership; the txn's comparison does).
    let c = f.client()
    let held = try #require(try await c.get(await a.key))
    _ = try await c.txn(EtcdTxnRequest(compare: [], success: [.delete(await a.key)]))
    let b = f.leader("b", ttl: .seconds(10))
    guard case .leader(let tb) = await EtcdFixture.lead(b) else {
      Issue.record("b did not become leader")
      return
    }
    #expect(tb > held.createRevision)
    #expect(await a.leadership.isLeader)  // a has not noticed yet
    do {
      _ = try await storeA.changeService(
        "orders", expectedEpoch: 1, to: ServiceChange(activeCluster: "west"), record: nil,
        audit: AuditEntry(actor: "a", action: .requested(.promote), subject: "orders", outcome: .ok))
      Issue.record("a deposed leader's write went through")
    } catch let e as StoreError {
      #expect(e.kind == .conflict)
      #expect(e.message.contains("fencing token \(held.createRevision) is no longer the leader's"))
    }
    #expect(try await storeA.serviceState("orders")?.epoch == 1)
    // Its next renewal notices: whatever happens next, its old token is dead.
    await a.step()
    #expect(await a.leadership != .leader(token: held.createRevision))
  }

  @Test func aLeaderCutOffFromEtcdStopsActingAtItsDeadline() async throws {
    let f = try await EtcdFixture(count: 1)
    defer { f.members.stop() }
    let a = f.leader("a", ttl: .seconds(3))
    #expect(await EtcdFixture.lead(a).isLeader)
    f.members.freeze(0)
    // Renewals now fail. The lease may expire in etcd TTL after the last renewal was
    // sent; by then this instance must already have stopped acting, on its own.
    async let renewing: Void = {
      for _ in 0..<10 { await a.step() }
    }()
    // Within the TTL (3 s) of its last successful renewal at the latest.
    #expect(
      await eventually("a stopped leading", timeout: .seconds(3), every: .milliseconds(50)) {
        !(await a.leadership.isLeader)
      })
    f.members.thaw(0)
    _ = await renewing
    f.members.thaw(0)
  }

  @Test func theLeaderKeepsItsRoleWhenOneEtcdMemberDies() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let a = f.leader("a", ttl: .seconds(3))
    guard case .leader(let token) = await EtcdFixture.lead(a) else {
      Issue.record("no leader")
      return
    }
    f.members.kill(0)
    for _ in 0..<8 {
      await a.step()
      try await Task.sleep(for: .milliseconds(500))
    }
    #expect(await a.leadership == .leader(token: token))
  }

  /// The leader dies, but its lease lives on: etcd's new raft leader renews every lease to
  /// its full TTL, here played by another client keeping the dead leader's lease alive.
  /// The follower, which saw no renewal for a TTL, takes the key over; the dead leader's
  /// deadline had passed by then (never both claiming), and when it comes back its next
  /// round finds the key gone from it.
  @Test func aLeaderWhoseLeaseOutlivesItIsTakenOverOnceItStopsRenewing() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let a = f.leader("a", ttl: .seconds(3))
    let b = f.leader("b", ttl: .seconds(3))
    guard case .leader(let tokenA) = await EtcdFixture.lead(a) else {
      Issue.record("a did not lead")
      return
    }
    let bRounds = Task {
      while !Task.isCancelled {
        await b.step()
        await b.untilNextRound()
      }
    }
    defer { bRounds.cancel() }
    try #require(
      await eventually("b follows a", every: .milliseconds(20)) { await b.leadership == .follower(leader: "a") })
    let lease = try #require(await a.currentLease)
    let client = f.client()
    let keepingAlive = Task {
      while !Task.isCancelled {
        _ = try? await client.keepAlive(lease)
        try? await Task.sleep(for: .milliseconds(500))
      }
    }
    defer { keepingAlive.cancel() }
    // a steps no more from here on.
    var overlaps = 0
    var bLeads = false
    let stopped = ContinuousClock.now
    while !bLeads, ContinuousClock.now - stopped < .seconds(20) {
      bLeads = await b.leadership.isLeader
      if bLeads, await a.leadership.isLeader { overlaps += 1 }
      try await Task.sleep(for: .milliseconds(10))
    }
    print("a's lease kept alive: b took over after \(ContinuousClock.now - stopped)")
    #expect(bLeads, "b never took over from a leader whose lease outlived it")
    #expect(overlaps == 0)
    guard case .leader(let tokenB) = await b.leadership else { return }
    #expect(tokenB > tokenA)
    #expect(try await client.get(await a.key)?.leaseID == (await b.currentLease))
    // Taken between rounds, the leadership is still reported once to the loop that resumes
    // the journal on it.
    #expect(await b.becameLeaderSinceAsked())
    #expect(!(await b.becameLeaderSinceAsked()))
    // a comes back: its renewal finds the key taken, and it follows b.
    await a.step()
    #expect(await a.leadership == .follower(leader: "b"))
  }

  /// The leader's whole network to etcd is cut (a TCP proxy in front of every member
  /// drops its connections and black-holes new ones), while another instance still
  /// reaches etcd: the cut-off leader stops acting on its own deadline, and the other
  /// leads only after that (its lease had to expire in etcd first); never both at once.
  @Test func aPartitionedLeaderStopsActingBeforeAnotherLeads() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let proxies = try f.members.endpoints.map { try PausableProxy(upstreamPort: Int($0.split(separator: ":").last!)!) }
    defer { for p in proxies { p.stop() } }
    let a = f.leader("a", ttl: .seconds(3), client: f.client(proxies.map(\.url)))
    let b = f.leader("b", ttl: .seconds(3))
    guard case .leader(let tokenA) = await EtcdFixture.lead(a) else {
      Issue.record("a did not lead")
      return
    }
    let aRounds = Task { await a.run() }
    let bRounds = Task { await b.run() }
    defer {
      aRounds.cancel()
      bRounds.cancel()
    }
    try #require(
      await eventually("b follows a", every: .milliseconds(20)) { await b.leadership == .follower(leader: "a") })
    for p in proxies { p.cut() }
    let cut = ContinuousClock.now
    var aStopped: Duration?
    var bLed: Duration?
    var overlaps = 0
    while ContinuousClock.now - cut < .seconds(20), bLed == nil {
      // b first, then a: a leader that still claims leadership after b led is an overlap.
      let bLeads = await b.leadership.isLeader
      let aLeads = await a.leadership.isLeader
      if !aLeads, aStopped == nil { aStopped = ContinuousClock.now - cut }
      if bLeads {
        bLed = ContinuousClock.now - cut
        if aLeads { overlaps += 1 }
      }
      try await Task.sleep(for: .milliseconds(20))
    }
    print(
      "partition: a stopped acting after \(aStopped.map { "\($0)" } ?? "never"), b led after \(bLed.map { "\($0)" } ?? "never")"
    )
    #expect(overlaps == 0)
    #expect(aStopped != nil && bLed != nil)
    if let aStopped, let bLed { #expect(aStopped < bLed) }
    guard case .leader(let tokenB) = await b.leadership else { return }
    #expect(tokenB > tokenA)
  }
}
