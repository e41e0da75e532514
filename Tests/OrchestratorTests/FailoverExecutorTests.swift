import Foundation
import KafkaClient
import KafkaConnect
import Orchestrator
import TestSupport
import Testing
import Topology

/// The journaled executor in process, through its seams: every step, the drain bound, a
/// live group, replication, a kill at every boundary, a newer epoch, a deposed leader.
@Suite("Failover executor, step by step, against fakes")
struct FailoverExecutorTests {
  static let partitions = (0..<3).map { TopicPartition("east.orders", Int32($0)) }

  @Test(arguments: [false, true])
  func aPlannedPromoteRunsEveryStepAndMovesTheService(sqlite: Bool) async throws {
    let w = try await DecisionWorld(sqlite: sqlite)
    let finished = await w.executor().run(try await w.open(), settings: w.settings)
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    #expect(finished.steps.map(\.status) == FailoverStepName.allCases.map { $0 == .waitForLeases ? .skipped : .done })
    #expect(finished.steps.allSatisfy { $0.durationMs != nil })
    // Fenced first (epoch 2, not writable), then switched (epoch 3, writable on west).
    #expect(w.published.all.map(\.epoch) == [2, 3])
    #expect(w.published.all.map(\.writable) == [false, true])
    let state = try await w.store.serviceState("orders")
    #expect(state?.activeCluster == "west" && state?.epoch == 3 && state?.state == .stable)
    #expect(finished.toEpoch == 3)
    // The group's offsets are on the target, translated onto the remote topic.
    for tp in Self.partitions { #expect(w.committed("west", "orders-svc", tp) == 100) }
    // The drain saw the flow caught up at once; the group, behind and with no consumer
    // committing, was waited for one idle bound on the clock and named.
    #expect(finished.step(.drain)?.details.hasPrefix("east->west caught up") == true)
    #expect(finished.step(.drain)?.details.contains("read again on the target: orders-svc (") == true)
    #expect(w.clock.slept == .seconds(1))
    // payments stays on east: the flow east->west still protects it and keeps running.
    #expect(w.connect.calls.isEmpty)
    #expect(finished.step(.reconfigureReplication)?.details == "east->west left running: it still replicates payments")
  }

  @Test func replicationIsPausedOnlyWhenNoStableServiceRemainsOnTheSource() async throws {
    let w = try await DecisionWorld()
    #expect(await w.executor().run(try await w.open("orders"), settings: w.settings).status == .succeeded)
    let second = await w.executor().run(try await w.open("payments"), settings: w.settings)
    #expect(second.status == .succeeded)
    #expect(w.connect.calls.count == 1)
    let call = try #require(w.connect.calls.first)
    #expect(call.verb == .pause)
    #expect(call.baseURL == "http://connect-west:8083")
    #expect(call.connectors == ["MirrorSourceConnector", "MirrorCheckpointConnector", "MirrorHeartbeatConnector"])
  }

  @Test func aFailbackResumesTheFlowHomeBeforeDrainingIt() async throws {
    let w = try await DecisionWorld()
    for s in ["orders", "payments"] {
      #expect(await w.executor().run(try await w.open(s), settings: w.settings).status == .succeeded)
    }
    // The way home: west->east has no MM2 state here, so its drain counts every record of
    // west's orders partitions as behind; give west an empty topic so it is caught up.
    w.kafka["west"].topic("orders", highs: [0, 0, 0])
    let outcome = try await w.switcher.failback(
      service: "orders", dryRun: false, reason: "home", actor: "test", homeHealth: .healthy)
    let back = await w.executor().run(try #require(outcome.failover), settings: w.settings)
    #expect(back.status == .succeeded, "\(back.error ?? "")")
    #expect(w.connect.calls.first { $0.baseURL == "http://connect-east:8083" }?.verb == .resume)
    #expect(try await w.store.serviceState("orders")?.activeCluster == "east")
  }

  @Test func aDrainThatNeverCatchesUpStopsAtItsBoundAndRollsBack() async throws {
    let w = try await DecisionWorld()
    w.kafka["east"].topic("orders", highs: [500, 101, 101])
    var settings = w.settings
    settings.drainTimeout = .seconds(60)
    settings.attempts = 1
    let finished = await w.executor().run(try await w.open(), settings: settings)
    #expect(finished.status == .rolledBack)
    #expect(finished.step(.drain)?.status == .failed)
    #expect(finished.step(.drain)?.details.contains("still 399 records behind after the drain bound") == true)
    #expect(finished.error?.hasSuffix("rolled back: east writable again at epoch 3") == true, "\(finished.error ?? "")")
    // The bound ran out on the test clock (the wall clock is not asserted on: a loaded
    // machine may take any time).
    #expect(w.clock.slept >= .seconds(60))
    // Fenced (epoch 2), then writable on east again (epoch 3): clients never lose a cluster.
    let state = try await w.store.serviceState("orders")
    #expect(state?.activeCluster == "east" && state?.writable == true && state?.epoch == 3)
    #expect(w.published.all.map(\.epoch) == [2, 3] && w.published.all.map(\.writable) == [false, true])
    #expect(
      try await w.store.auditLog(limit: 50, before: nil).contains {
        $0.action == .rolledBack(.promote) && $0.outcome.kind == .ok
      })
    // It read MM2's state every half second while it waited.
    #expect(w.refresh.calls > 100)
  }

  /// The orchestrator's own outage: a planned switchover whose offsets cannot be written
  /// (the target has no such topic) is undone, never left fenced.
  @Test func aPlannedSwitchoverThatCannotWriteOffsetsRollsBack() async throws {
    let w = try await DecisionWorld()
    w.kafka["west"].state.withLock { $0.partitions["east.orders"] = nil }
    let finished = await w.executor().run(try await w.open(), settings: w.settings)
    #expect(finished.status == .rolledBack, "\(finished.error ?? "")")
    #expect(finished.step(.writeOffsets)?.status == .failed)
    #expect(finished.step(.writeOffsets)?.attempt == 3)
    #expect(finished.step(.switchDiscovery)?.status == .pending)
    #expect(finished.error?.contains("3 offsets not written") == true, "\(finished.error ?? "")")
    let state = try await w.store.serviceState("orders")
    #expect(state?.activeCluster == "east" && state?.writable == true && state?.epoch == 3)
  }

  /// Unplanned (the source is gone): the offsets that can be written are, the service
  /// switches anyway, and every group-partition not written is named with what its
  /// consumers will do.
  @Test func anUnplannedFailoverThatCannotWriteSomeOffsetsSwitchesAndSaysWhich() async throws {
    let w = try await DecisionWorld()
    w.kafka["west"].topic("east.orders", highs: [101])  // partitions 1 and 2 are missing
    let finished = await w.executor().run(try await w.open(forced: true), settings: w.settings)
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    let details = finished.step(.writeOffsets)?.details ?? ""
    #expect(details.hasPrefix("1 written"), "\(details)")
    #expect(details.contains("2 not written"), "\(details)")
    #expect(details.contains("orders-svc east.orders[1,2]"), "\(details)")
    #expect(details.contains("auto.offset.reset"), "\(details)")
    #expect(w.committed("west", "orders-svc", TopicPartition("east.orders", 0)) == 100)
    let state = try await w.store.serviceState("orders")
    #expect(state?.activeCluster == "west" && state?.writable == true && state?.epoch == 3)
  }

  /// `onOffsetWriteFailure: halt`: the operator decides; the service stays fenced.
  @Test func anUnplannedFailoverWithHaltStopsFencedWhenOffsetsCannotBeWritten() async throws {
    let w = try await DecisionWorld()
    w.kafka["west"].state.withLock { $0.partitions["east.orders"] = nil }
    var settings = w.settings
    settings.onOffsetWriteFailure = .halt
    let finished = await w.executor().run(try await w.open(forced: true), settings: settings)
    #expect(finished.status == .failed)
    #expect(finished.step(.writeOffsets)?.status == .failed)
    let state = try await w.store.serviceState("orders")
    #expect(state?.activeCluster == "east" && state?.writable == false && state?.epoch == 2)
  }

  /// Leadership lost inside the replication step, after its start was allowed: the
  /// Connect call is not made (the check right before it refuses) and the step fails.
  @Test func aLeaderDeposedInsideTheReplicationStepMakesNoConnectCall() async throws {
    let w = try await DecisionWorld()
    let memory = try #require(w.memory)
    // payments first, so that orders' move is the one that pauses east->west.
    #expect(await w.executor().run(try await w.open("payments"), settings: w.settings).status == .succeeded)
    let record = try await w.open("orders")
    _ = await w.executor(Failpoints(halting: [(.before, .reconfigureReplication)])).run(record, settings: w.settings)
    await memory.loseLeadership(atAsk: 2)  // the step's own check passes, the one before Connect does not
    let open = try #require(try await w.store.openFailovers().first)
    let finished = await w.executor().run(open, settings: w.settings)
    #expect(w.connect.calls.isEmpty)
    let step = try #require(finished.steps.first { $0.name == .reconfigureReplication })
    #expect(step.status == .failed)
    #expect(step.details.contains("no longer leads"))
  }

  /// Every Connect call of a leader carries its fencing token.
  @Test func connectCallsCarryTheLeadersFencingToken() async throws {
    let w = try await DecisionWorld()
    await w.memory?.setLeadership(.leader(token: 42))
    _ = await w.executor().run(try await w.open("payments"), settings: w.settings)
    _ = await w.executor().run(try await w.open("orders"), settings: w.settings)
    #expect(w.connect.calls.map(\.fencingToken) == [42])
  }

  @Test func aGroupWithLiveMembersOnTheTargetIsSkippedAndReported() async throws {
    let w = try await DecisionWorld()
    w.kafka["west"].state.withLock { $0.members["orders-svc"] = 2 }
    let finished = await w.executor().run(try await w.open(), settings: w.settings)
    #expect(finished.status == .succeeded)
    #expect(
      finished.step(.writeOffsets)?.details.hasPrefix(
        "0 written, 0 already there, 3 skipped (orders-svc: 2 live members") == true)
    #expect(w.kafka["west"].state.withLock { $0.alterations.isEmpty })
  }

  @Test func anUnplannedFailoverSkipsTheDrainAndNeverAsksTheDeadSource() async throws {
    let w = try await DecisionWorld()
    w.kafka["east"].setDown(true)
    let record = try await w.open(forced: true, kind: .failover)
    let callsBefore = w.kafka["east"].state.withLock { $0.calls }
    let finished = await w.executor().run(record, settings: w.settings)
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    #expect(finished.step(.drain)?.status == .skipped)
    #expect(w.kafka["east"].state.withLock { $0.calls } == callsBefore)
    // From the last checkpoints: the group resumes at 100 on the copies.
    for tp in Self.partitions { #expect(w.committed("west", "orders-svc", tp) == 100) }
  }

  /// A kill at every step boundary, then a resume from the journal by a new executor,
  /// ends exactly like the uninterrupted run: same state, same offsets, every step done.
  @Test(arguments: FailoverStepName.allCases.dropFirst().flatMap { [(Failpoints.Boundary.before, $0), (.after, $0)] })
  func aKillAtAStepBoundaryThenAResumeEndsLikeAnUninterruptedRun(
    at boundary: (Failpoints.Boundary, FailoverStepName)
  ) async throws {
    let w = try await DecisionWorld()
    // With the lease wait, so that every step acts (and the wait, too, is killed and resumed).
    var settings = w.settings
    settings.waitForLeases = true
    let record = try await w.open()
    let halted = await w.executor(Failpoints(halting: [boundary])).run(record, settings: settings)
    #expect(halted.status == .running)
    let open = try await w.store.openFailovers()
    #expect(open.map(\.id) == [record.id])
    let resumed = await w.executor().run(open[0], settings: settings)
    #expect(resumed.status == .succeeded, "\(boundary): \(resumed.error ?? "")")
    #expect(resumed.steps.allSatisfy { $0.status == .done })
    let state = try await w.store.serviceState("orders")
    #expect(state?.activeCluster == "west" && state?.epoch == 3 && state?.writable == true)
    for tp in Self.partitions { #expect(w.committed("west", "orders-svc", tp) == 100) }
  }

  @Test func aNewerEpochInTheStoreStopsARunningFailoverAsSuperseded() async throws {
    let w = try await DecisionWorld()
    let record = try await w.open()
    _ = await w.executor(Failpoints(halting: [(.after, .fenceSource)])).run(record, settings: w.settings)
    // Meanwhile an operator promoted east again (epoch 2 -> 3) elsewhere.
    let memory = try #require(w.memory)
    await memory.force(
      ServiceState(
        service: "orders", activeCluster: "east", epoch: 3, state: .stable, writable: true, updatedAt: Date()))
    let open = try await w.store.openFailovers()
    let finished = await w.executor().run(open[0], settings: w.settings)
    #expect(finished.status == .failed)
    #expect(finished.error == "superseded by epoch 3")
    #expect(finished.step(.waitForLeases)?.details.hasPrefix("superseded: the service is at epoch 3") == true)
    // Nothing after the fence acted: no offsets written, east still active.
    #expect(w.kafka["west"].state.withLock { $0.alterations.isEmpty })
    #expect(try await w.store.serviceState("orders")?.activeCluster == "east")
  }

  @Test func aDeposedLeaderWritesNothingMoreAndLeavesTheFailoverToTheNextLeader() async throws {
    let w = try await DecisionWorld()
    let memory = try #require(w.memory)
    let record = try await w.open()
    _ = await w.executor(Failpoints(halting: [(.after, .drain)])).run(record, settings: w.settings)
    await memory.setLeadership(.follower(leader: "other"))
    let writes = await memory.writes.count
    let stopped = await w.executor().run(try await w.store.openFailovers()[0], settings: w.settings)
    #expect(stopped.status == .running)
    #expect(await memory.writes.count == writes)
    #expect(w.kafka["west"].state.withLock { $0.alterations.isEmpty })
    // The next leader resumes it to the end.
    await memory.setLeadership(.leader(token: 2))
    let finished = await w.executor().run(try await w.store.openFailovers()[0], settings: w.settings)
    #expect(finished.status == .succeeded)
  }

  @Test func aFailingStepIsRetriedOnTheClockThenTheFailoverFails() async throws {
    let refresh = ScriptedMM2Refresh { _, _ in throw KafkaError(code: -185, operation: "catch-up") }
    let w = try await DecisionWorld(refresh: refresh)
    var settings = w.settings
    settings.attempts = 3
    settings.retryDelay = .seconds(7)
    let finished = await w.executor().run(try await w.open(), settings: settings)
    // The drain ignores a failed catch-up (it measures again); refresh-checkpoints of a
    // planned move does not, and gives up: the switchover is undone.
    #expect(finished.status == .rolledBack)
    #expect(finished.step(.refreshCheckpoints)?.status == .failed)
    #expect(finished.step(.refreshCheckpoints)?.attempt == 3)
    // Two retry delays, and the drain's one idle bound for a group that commits nothing.
    #expect(w.clock.slept == .seconds(15))
  }

  /// With `fence: {waitForLeases: true}`, nothing after the fence runs before the lease
  /// (15 s) and its margin have passed on the clock since the fence.
  @Test func aPolicyThatWaitsForLeasesSwitchesNoSoonerThanTheLeaseAfterTheFence() async throws {
    let w = try await DecisionWorld()
    var settings = w.settings
    settings.waitForLeases = true
    let finished = await w.executor().run(try await w.open(forced: true), settings: settings)
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    let wait = try #require(finished.step(.waitForLeases))
    #expect(wait.status == .done)
    #expect(wait.details == "waited 16.0 s after the fence for client leases (15 s + 1 s)")
    #expect(abs(w.clock.slept / .seconds(1) - 16) < 0.5)
    #expect(w.published.all.map(\.epoch) == [2, 3])
  }

  /// Killed during the wait and resumed 10 s after the fence: it waits only what is left.
  @Test func aResumedLeaseWaitWaitsOnlyWhatIsLeft() async throws {
    let w = try await DecisionWorld()
    var settings = w.settings
    settings.waitForLeases = true
    let record = try await w.open(forced: true)
    _ = await w.executor(Failpoints(halting: [(.before, .waitForLeases)])).run(record, settings: settings)
    w.clock.advance(by: .seconds(10))
    let finished = await w.executor().run(try await w.store.openFailovers()[0], settings: settings)
    #expect(finished.status == .succeeded)
    let details = try #require(finished.step(.waitForLeases)?.details)
    #expect(details.hasPrefix("waited 6.0 s: client leases (15 s + 1 s) ran out 16.0 s after the fence"), "\(details)")
    #expect(abs(w.clock.slept / .seconds(1) - 16) < 0.5)
  }

  @Test func withoutTheOptionOrWithoutAFenceThereIsNoWait() async throws {
    let w = try await DecisionWorld()
    var settings = w.settings
    settings.waitForLeases = true
    settings.fence = false
    let unfenced = await w.executor().run(try await w.open(forced: true), settings: settings)
    #expect(unfenced.step(.waitForLeases)?.status == .skipped)
    #expect(unfenced.step(.waitForLeases)?.details == "the policy does not wait for client leases")
    #expect(w.clock.slept == .zero)
  }

  /// Coordinated, an instance cut off from etcd may serve its last document until it goes
  /// stale: the wait covers that too.
  @Test func aCoordinatedLeaseWaitAddsTheTimeAnInstanceMayServeUnconfirmed() async throws {
    let w = try await DecisionWorld()
    var settings = w.settings
    settings.waitForLeases = true
    let finished = await w.executor(discoveryStaleness: .seconds(5)).run(
      try await w.open(forced: true), settings: settings)
    #expect(
      finished.step(.waitForLeases)?.details
        == "waited 21.0 s after the fence for client leases (15 s + 5 s for a cut-off instance + 1 s)")
    #expect(abs(w.clock.slept / .seconds(1) - 21) < 0.5)
  }
}
