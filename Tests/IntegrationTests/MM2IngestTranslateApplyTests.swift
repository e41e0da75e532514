import Foundation
import HealthProbes
import KafkaClient
import MM2
import Orchestrator
import Testing
import Topology

/// Two simulated regions with MM2-format records in MM2's topics: the orchestrator cannot
/// tell them from what MirrorMaker 2 writes.
@Suite("MM2 state: ingest, translate, apply against two regions")
struct MM2IngestTranslateApplyTests {
  let east: MockCluster
  let west: MockCluster
  let eastClient: KafkaClient
  let westClient: KafkaClient
  let topology: Topology
  let flow: Flow
  let store: StateStore

  init() async throws {
    east = try MockCluster(brokers: 3)
    west = try MockCluster(brokers: 3)
    eastClient = try KafkaClient(bootstrapServers: east.bootstrapServers, defaultTimeout: .seconds(5))
    westClient = try KafkaClient(bootstrapServers: west.bootstrapServers, defaultTimeout: .seconds(5))
    flow = Flow(source: "east", target: "west")
    topology = Topology(
      regions: [Region(name: "e"), Region(name: "w")],
      clusters: [
        Cluster(name: "east", region: "e", bootstrapServers: east.bootstrapServers),
        Cluster(name: "west", region: "w", bootstrapServers: west.bootstrapServers),
      ],
      flows: [flow],
      services: [
        Service(
          name: "orders", primary: "east", standbys: ["west"], topics: ["orders"], consumerGroups: ["orders-processor"])
      ])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mm2-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    store = try await StateStore.open(path: dir.appendingPathComponent("state.db").path)

    try east.createTopic("orders", partitions: 2)
    try west.createTopic("east.orders", partitions: 2)
    try east.createTopic(flow.offsetSyncsTopic, partitions: 1)
    try west.createTopic(flow.checkpointsTopic, partitions: 1)
    try west.createTopic(flow.remoteHeartbeatsTopic, partitions: 1)
  }

  /// 100 records upstream on partition 0, every tenth filtered by the mirror; 50 on
  /// partition 1, all replicated. Returns upstream → downstream of partition 0.
  func replicate() async throws -> [Int64: Int64] {
    var upstream: [ProducerRecord] = []
    for i in 0..<100 { upstream.append(ProducerRecord(topic: "orders", partition: 0, value: Array("o\(i)".utf8))) }
    for i in 0..<50 { upstream.append(ProducerRecord(topic: "orders", partition: 1, value: Array("p\(i)".utf8))) }
    _ = try await eastClient.produce(upstream)
    var mapping: [Int64: Int64] = [:]
    var downstream: [ProducerRecord] = []
    for u in 0..<100 where u % 10 != 5 {
      mapping[Int64(u)] = Int64(downstream.count)
      downstream.append(ProducerRecord(topic: "east.orders", partition: 0, value: Array("o\(u)".utf8)))
    }
    for u in 0..<50 {
      downstream.append(ProducerRecord(topic: "east.orders", partition: 1, value: Array("p\(u)".utf8)))
    }
    _ = try await westClient.produce(downstream)
    return mapping
  }

  func mm2(_ topic: String, key: [UInt8], value: [UInt8]) -> ProducerRecord {
    ProducerRecord(topic: topic, partition: 0, key: key, value: value)
  }

  @Test func ingestsTranslatesAppliesAndResumes() async throws {
    let map = try await replicate()
    let syncs = [
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 0, downstreamOffset: map[0]!),
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 50, downstreamOffset: map[50]!),
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 90, downstreamOffset: map[90]!),
      OffsetSync(topic: "orders", partition: 1, upstreamOffset: 0, downstreamOffset: 0),
    ]
    _ = try await eastClient.produce(syncs.map { mm2(flow.offsetSyncsTopic, key: $0.key, value: $0.value) })
    // MM2's checkpoint for a group at 60 upstream: one past the sync at 50.
    let checkpoint = Checkpoint(
      group: "orders-processor", topic: "east.orders", partition: 0, upstreamOffset: 60, downstreamOffset: map[50]! + 1)
    _ = try await westClient.produce([
      mm2(flow.checkpointsTopic, key: checkpoint.key, value: checkpoint.value),
      mm2(flow.checkpointsTopic, key: Array("garbage".utf8), value: [1, 2, 3]),  // a poison record
      mm2(
        flow.remoteHeartbeatsTopic,
        key: Heartbeat(sourceClusterAlias: "east", targetClusterAlias: "west", timestamp: 0).key,
        value: Heartbeat(
          sourceClusterAlias: "east", targetClusterAlias: "west", timestamp: Int64(Date().timeIntervalSince1970 * 1000)
        ).value),
    ])
    // The group consumed further upstream since the checkpoint.
    _ = try await eastClient.alterGroupOffsets(group: "orders-processor", offsets: [TopicPartition("orders", 0): 70])

    let ingester = try MM2Ingester(flow: flow, topology: topology, store: store)
    let stats = try await ingester.catchUp(timeout: .seconds(20))
    #expect(stats.checkpoints == 1)
    #expect(stats.offsetSyncs == 4)
    #expect(stats.heartbeats == 1)
    #expect(stats.poison == 1)
    #expect(try await store.poisonCount(flow: flow.name) == 1)

    let planner = TranslationPlanner(flow: flow, topology: topology, store: store)
    let live = try await planner.translate(mode: .checkpoint, source: eastClient)
    let p0 = try #require(live.first { $0.partition == 0 })
    #expect(p0.targetTopic == "east.orders")
    #expect(p0.upstreamOffset == 70)
    #expect(p0.upstreamFrom == "live")
    #expect(p0.translatedOffset == map[50]! + 1)
    // 9 records between the sync and the checkpoint, 10 consumed after it.
    #expect(p0.redeliveryBound == 19)
    // Never past the first unconsumed record (upstream 70 → downstream map[70]).
    #expect(p0.translatedOffset! <= map[70]!)

    // With the source gone, translation still works from the stored state.
    let offline = try await planner.translate(mode: .offsetSync)
    let p0Offline = try #require(offline.first { $0.partition == 0 })
    #expect(p0Offline.upstreamFrom == "checkpoint")
    #expect(p0Offline.translatedOffset == map[50]! + 1)
    #expect(p0Offline.redeliveryBound == 9)

    let applier = OffsetApplier(target: westClient, planner: planner)
    let dry = try await applier.apply(live, dryRun: true)
    #expect(dry.allSatisfy { $0.status == .planned })
    #expect(
      try await westClient.committedOffsets(group: "orders-processor", partitions: [TopicPartition("east.orders", 0)])[
        TopicPartition("east.orders", 0)] == .some(nil))
    let applied = try await applier.apply(live)
    #expect(applied.filter { $0.status == .written }.count == live.filter(\.isTranslated).count)
    let readBack = try await westClient.committedOffsets(
      group: "orders-processor", partitions: [TopicPartition("east.orders", 0)])
    #expect(readBack[TopicPartition("east.orders", 0)] == map[50]! + 1)
    // Re-running changes nothing.
    let again = try await applier.apply(live)
    #expect(again.allSatisfy { $0.status == .unchanged })

    // A group no service covers is never written.
    let other = try await planner.translate(groups: ["someone-else"], mode: .offsetSync)
    let refused = try await applier.apply(
      other + [
        Translation(
          group: "someone-else", sourceTopic: "orders", targetTopic: "east.orders", partition: 0,
          upstreamOffset: 1, upstreamFrom: "live", translatedOffset: 1, mode: .offsetSync, basis: "test",
          redeliveryBound: 0, error: nil)
      ])
    #expect(refused.allSatisfy { $0.status == .skipped })

    // Lag from the same data: partition 0 has 9 records past its newest sync, partition 1 has 49.
    let lag = try await FlowLag.measure(flow: flow, store: store, source: eastClient)
    #expect(lag.partitions.map(\.recordsBehind) == [9, 49])
    #expect(lag.recordsBehind == 58)
    #expect(lag.heartbeatAgeSeconds != nil)
    #expect(lag.poisonRecords == 1)
    // The replication-lag probe judges the same measurement against thresholds.
    #expect(
      ReplicationLagProbe.judge(lag, LagThresholds(maxRecordsBehind: 50)) == ["58 records not yet replicated (max 50)"])
    #expect(
      ReplicationLagProbe.judge(lag, LagThresholds(maxRecordsBehind: 100, maxHeartbeatAge: .seconds(3600))).isEmpty)
    let probe = ReplicationLagProbe(
      flow: flow, store: store, source: eastClient, thresholds: LagThresholds(maxRecordsBehind: 50))
    #expect(await probe.run().state == .degraded)

    // A restart resumes where ingestion stopped: nothing is read twice.
    let restarted = try MM2Ingester(flow: flow, topology: topology, store: store)
    let nothing = try await restarted.catchUp(timeout: .seconds(10))
    #expect(nothing == MM2Ingester.Stats())
    let newer = Checkpoint(
      group: "orders-processor", topic: "east.orders", partition: 0, upstreamOffset: 90, downstreamOffset: map[90]!)
    _ = try await westClient.produce([mm2(flow.checkpointsTopic, key: newer.key, value: newer.value)])
    let one = try await restarted.catchUp(timeout: .seconds(10))
    #expect(one.checkpoints == 1)
    #expect(try await store.checkpoints(flow: flow.name).first?.checkpoint.upstreamOffset == 90)
  }

  @Test func timestampModeNeverGuesses() async throws {
    let map = try await replicate()
    _ = try await eastClient.alterGroupOffsets(group: "orders-processor", offsets: [TopicPartition("orders", 0): 70])
    let sync = OffsetSync(topic: "orders", partition: 0, upstreamOffset: 50, downstreamOffset: map[50]!)
    _ = try await eastClient.produce([mm2(flow.offsetSyncsTopic, key: sync.key, value: sync.value)])
    try await MM2Ingester(flow: flow, topology: topology, store: store).catchUp(timeout: .seconds(20))
    let planner = TranslationPlanner(flow: flow, topology: topology, store: store)
    let results = try await planner.translate(mode: .timestamp, source: eastClient, target: westClient)
    let p0 = try #require(results.first { $0.partition == 0 })
    #expect(p0.mode == .timestamp)
    if let offset = p0.translatedOffset {
      // A broker with timestamp lookups: never past the first unconsumed record.
      #expect(offset <= map[70]!)
    } else {
      // The mock has none: the translation says why instead of guessing.
      #expect(p0.error?.isEmpty == false)
    }
    // Without the source, timestamp mode cannot work and says so.
    let offline = try await planner.translate(mode: .timestamp)
    #expect(
      offline.allSatisfy { $0.translatedOffset == nil && $0.error?.contains("needs the live committed offset") == true }
    )
  }

  @Test func aGroupWithLiveMembersOnTheTargetIsSkippedAndReported() async throws {
    let map = try await replicate()
    let cp = Checkpoint(
      group: "orders-processor", topic: "east.orders", partition: 0, upstreamOffset: 60, downstreamOffset: map[50]! + 1)
    _ = try await westClient.produce([mm2(flow.checkpointsTopic, key: cp.key, value: cp.value)])
    try await MM2Ingester(flow: flow, topology: topology, store: store).catchUp(timeout: .seconds(20))

    // A consumer of the group is already running on the target.
    let member = try KafkaConsumer(properties: [
      "bootstrap.servers": west.bootstrapServers, "group.id": "orders-processor", "session.timeout.ms": "6000",
    ])
    try await member.subscribe(["east.orders"])
    var assigned: [TopicPartition] = []
    for _ in 0..<100 where assigned.isEmpty {
      _ = try await member.poll(max: 100, timeout: .milliseconds(100))
      assigned = try await member.assignment()
    }
    #expect(!assigned.isEmpty, "the member never joined the group")

    let planner = TranslationPlanner(flow: flow, topology: topology, store: store)
    let translations = try await planner.translate(mode: .checkpoint)
    let outcomes = try await OffsetApplier(target: westClient, planner: planner).apply(translations)
    #expect(!outcomes.isEmpty)
    #expect(outcomes.allSatisfy { $0.status == .skipped && ($0.reason ?? "").contains("live members") }, "\(outcomes)")
  }
}
