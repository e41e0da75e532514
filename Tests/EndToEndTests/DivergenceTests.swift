import Foundation
import KafkaClient
import MM2
import Orchestrator
import TestSupport
import Testing

/// The tail an unplanned failover leaves behind, through the built server: bounded from
/// the journal while the old primary is dark, measured exactly once it answers, shown by
/// the API, `status`, the metrics and the failback plan.
@Suite("Divergence after an unplanned failover", .serialized)
struct DivergenceTests {
  /// A served lab where east's orders[0] holds 20 records, MM2 copied the first 12 to west
  /// (same key, value and timestamp) and synced 0 -> 0 and 11 -> 11, and the orchestrator
  /// has measured that lag (8).
  static func eastWithATail(environment: [String: String] = [:]) async throws -> AutoFailoverTests.Running {
    let r = try await AutoFailoverTests.start(policy: AutoFailoverTests.automatic, environment: environment)
    let f = r.fixture
    let topology = r.lab.topology
    let flow = topology.flow(from: "east", to: "west")!
    let east = try topology.cluster("east")!.makeClient()
    let west = try topology.cluster("west")!.makeClient()
    func record(_ topic: String, _ i: Int) -> ProducerRecord {
      ProducerRecord(
        topic: topic, partition: 0, key: Array("k\(i)".utf8), value: Array("v\(i)".utf8),
        timestamp: 1_700_000_000_000 + Int64(i))
    }
    _ = try await east.produce((0..<20).map { record("orders", $0) })
    _ = try await west.produce((0..<12).map { record("east.orders", $0) })
    let syncs = [
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 0, downstreamOffset: 0),
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 11, downstreamOffset: 11),
    ]
    _ = try await east.produce(
      syncs.map { ProducerRecord(topic: flow.offsetSyncsTopic, partition: 0, key: $0.key, value: $0.value) })
    let measured = try await eventually("the lag of east->west counts the 8 unsynced records") {
      try await f.status().flows.first { $0.flow == "east->west" }?.recordsBehind == 8
    }
    try #require(measured)
    return r
  }

  /// East dies, the policy fails over to west, east comes back and its tail is measured.
  static func failedOverAndBack(_ r: AutoFailoverTests.Running) async throws {
    r.lab.region("east")!.fail()
    let moved = try await AutoFailoverTests.waitForEpoch(r.fixture, "orders", 3, seconds: 60)
    try #require(moved.active.cluster == "west")
    r.lab.region("east")!.recover()
    let back = try await eventually("east answers and the tail is measured", timeout: .seconds(60)) {
      try await r.fixture.divergence("orders").divergence?.oldPrimaryAnswers == true
    }
    try #require(back)
  }

  /// A dry run of orders' failback: its plan, translations and notes.
  static func failbackPlan(_ f: ServeFixture) async throws -> SwitchOutcome {
    try decoded(try await f.post("/v1/services/orders/failback", #"{"dryRun": true}"#), as: SwitchOutcome.self)
  }

  /// Asks for the recovery of orders' tail and waits for it to succeed; its id.
  static func recoveredThroughTheAPI(_ f: ServeFixture) async throws -> Int64 {
    let accepted = try await f.post("/v1/services/orders/recover", #"{"reason": "east is back"}"#)
    let id = try decoded(accepted, as: RecoveryRecord.self).id
    let recovered = try await eventually("the recovery ends") {
      try decoded(try await f.get("/v1/recoveries/\(id)", as: "viewer"), as: RecoveryRecord.self).status == .succeeded
    }
    try #require(recovered)
    return id
  }

  /// West's orders[0] as recovered copies of east's: origin offset of each, in order.
  static func recovered(_ r: AutoFailoverTests.Running, topic: String = "orders") async throws -> [Int64] {
    let west = try r.lab.topology.cluster("west")!.makeClient()
    let tp = TopicPartition(topic, 0)
    let end = try await west.watermarks(for: [tp])[tp]?.high ?? 0
    return try await west.read(tp, from: 0, until: end, timeout: .seconds(10)).compactMap {
      Recoverer.originOffset($0, cluster: "east", topic: "orders", partition: 0)
    }
  }

  @Test func theTailIsBoundedWhileEastIsDarkAndMeasuredWhenItIsBack() async throws {
    let r = try await Self.eastWithATail()
    defer { r.fixture.server.forceKill() }
    let f = r.fixture
    r.lab.region("east")!.fail()
    let moved = try await AutoFailoverTests.waitForEpoch(f, "orders", 3, seconds: 60)
    try #require(moved.active.cluster == "west")
    // East is dark: the bound the failover journaled.
    let bound = try await f.divergence("orders")
    let dark = try #require(bound.divergence, "\(bound)")
    #expect(!dark.oldPrimaryAnswers && dark.records == 8, "\(dark)")

    r.lab.region("east")!.recover()
    var view: DivergenceView?
    let back = try await eventually("east answers and the tail is measured", timeout: .seconds(60)) {
      view = try await f.divergence("orders")
      return view?.divergence?.oldPrimaryAnswers == true
    }
    try #require(back, "\(String(describing: view))")
    let d = try #require(view?.divergence)
    let p = try #require(d.partitions.first { $0.topic == "orders" })
    #expect(p.basis == .matched && p.tailStart == 12 && p.tailEnd == 20)
    #expect(p.records == 8 && p.sampleKeys.first == "k12", "\(p)")
    #expect(p.firstTimestamp == 1_700_000_000_012 && p.lastTimestamp == 1_700_000_000_019)
    #expect(d.records == 8)

    // The status and the metric say it without being asked.
    let shown = try await eventually("the status and the metric show the tail") {
      let inStatus = try await f.status().divergence.first?.records == 8
      let metrics = try await f.get("/metrics").text
      return inStatus && metrics.contains(#"kafka_failover_unreplicated_records{service="orders",topic="orders"} 8"#)
    }
    #expect(shown)
    let cli = try await Failoverctl.run([
      "divergence", "orders", "--server", f.server.url, "--token", ServeFixture.tokens["viewer"]!,
    ])
    #expect(
      cli.status == 0 && cli.stdout.contains("8 records on east never reached west"), "\(cli.stdout)\(cli.stderr)")
    #expect(cli.stdout.contains("12..<20") && cli.stdout.contains("matched"), "\(cli.stdout)")

    // The failback plan names the tail and what consumers will see of it without a recovery.
    let plan = try decoded(
      try await f.post("/v1/services/orders/failback", #"{"dryRun": true, "reason": "look"}"#), as: SwitchOutcome.self)
    #expect(plan.divergence?.records == 8, "\(plan)")
    let warnings = plan.warnings
    #expect(warnings.contains { $0.contains("were not recovered") && $0.contains("failoverctl recover orders") })
    _ = await f.server.stop()
  }

  /// West's consumers read the whole copy and every recovered record, and west took one
  /// record of its own that MM2 replicated back (the recovered ones it leaves alone); then
  /// the failback. The group's position on east's orders: past the recovered tail.
  static func consumedOnWestAndReplicatedBack(_ r: AutoFailoverTests.Running) async throws {
    let topology = r.lab.topology
    let west = try topology.cluster("west")!.makeClient()
    let east = try topology.cluster("east")!.makeClient()
    let orders = TopicPartition("orders", 0)
    let own = try await west.produce([ProducerRecord(topic: "orders", partition: 0, value: Array("west".utf8))])
    _ = try await east.produce([ProducerRecord(topic: "west.orders", partition: 0, value: Array("west".utf8))])
    let back = topology.flow(from: "west", to: "east")!
    let sync = OffsetSync(topic: "orders", partition: 0, upstreamOffset: own[0].offset, downstreamOffset: 0)
    _ = try await west.produce([
      ProducerRecord(topic: back.offsetSyncsTopic, partition: 0, key: sync.key, value: sync.value)
    ])
    let end = try await west.watermarks(for: [orders])[orders]!.high
    _ = try await west.alterGroupOffsets(
      group: "orders-processor", offsets: [TopicPartition("east.orders", 0): 12, orders: end])
  }

  @Test func aFailbackAfterARecoveryDeliversNothingAlreadyConsumed() async throws {
    let r = try await Self.eastWithATail()
    defer { r.fixture.server.forceKill() }
    let f = r.fixture
    try await Self.failedOverAndBack(r)
    _ = try await Self.recoveredThroughTheAPI(f)
    try await Self.consumedOnWestAndReplicatedBack(r)
    let plan = try await Self.failbackPlan(f)
    let notes = plan.failbackNotes ?? []
    #expect(notes.contains { $0.contains("orders[0]: 12..<20") && $0.contains("was recovered") }, "\(notes)")
    let home = plan.translations?.first { $0.sourceTopic == "east.orders" && $0.targetTopic == "orders" }
    #expect(home?.translatedOffset == 20, "\(plan.translations ?? [])")
    let done = try await f.switchOver("/v1/services/orders/failback", #"{"reason": "east is back"}"#)
    #expect(done.status == .succeeded, "\(done)")
    let east = try r.lab.topology.cluster("east")!.makeClient()
    let position = try await east.committedOffsets(
      group: "orders-processor", partitions: [TopicPartition("orders", 0)])[TopicPartition("orders", 0)]
    #expect(position == 20, "the group would read again what it read on west")
    _ = await f.server.stop()
  }

  /// Replication from east resumed after the recovery (another service's failback resumes
  /// the flow they share) copies the tail into east.orders after the copy's end: the
  /// failback still puts the group past what it read, never back at the tail's start.
  @Test func aCopyThatGrewAfterTheRecoveryDoesNotBringTheTailBack() async throws {
    let r = try await Self.eastWithATail()
    defer { r.fixture.server.forceKill() }
    let f = r.fixture
    try await Self.failedOverAndBack(r)
    let id = try await Self.recoveredThroughTheAPI(f)
    // No Connect URL here: the recovery says what to do by hand before resuming the flow.
    let record = try decoded(try await f.get("/v1/recoveries/\(id)", as: "viewer"), as: RecoveryRecord.self)
    #expect((record.replication ?? "").contains("PATCH /connectors/"), "\(record)")
    try await Self.consumedOnWestAndReplicatedBack(r)
    let west = try r.lab.topology.cluster("west")!.makeClient()
    _ = try await west.produce(
      (12..<20).map {
        ProducerRecord(
          topic: "east.orders", partition: 0, key: Array("k\($0)".utf8), value: Array("v\($0)".utf8),
          timestamp: 1_700_000_000_000 + Int64($0))
      })
    for (committed, why) in [(12, "it read none of the late copies"), (15, "it read three of them too")] {
      _ = try await west.alterGroupOffsets(
        group: "orders-processor", offsets: [TopicPartition("east.orders", 0): Int64(committed)])
      let plan = try await Self.failbackPlan(f)
      let home = plan.translations?.first { $0.sourceTopic == "east.orders" && $0.targetTopic == "orders" }
      #expect(home?.translatedOffset == 20, "\(why): \(plan.translations ?? [])")
    }
    _ = await f.server.stop()
  }

  @Test func aFailbackWithoutARecoveryReadsTheTailLateAndSaysSo() async throws {
    let r = try await Self.eastWithATail()
    defer { r.fixture.server.forceKill() }
    let f = r.fixture
    try await Self.failedOverAndBack(r)
    try await Self.consumedOnWestAndReplicatedBack(r)
    let plan = try await Self.failbackPlan(f)
    let notes = plan.failbackNotes ?? []
    #expect(notes.contains { $0.contains("12..<20 (8 records)") && $0.contains("was not recovered") }, "\(notes)")
    let home = plan.translations?.first { $0.sourceTopic == "east.orders" }
    #expect(home?.translatedOffset == 12, "\(plan)")
    _ = await f.server.stop()
  }
}
