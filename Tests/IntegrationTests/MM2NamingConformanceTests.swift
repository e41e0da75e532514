import Foundation
import HealthProbes
import KafkaClient
import KafkaLab
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

/// Records exactly as Apache Kafka's MirrorMaker 2 writes them, built from MM2's own rules
/// and tests (not from this project's writer), ingested, translated and applied, against
/// librdkafka's mock clusters and against Tansu, a broker this project did not write.
///
/// The cases are Kafka's `MirrorCheckpointTaskTest.testCheckpoint` (flow `source1 -> target2`,
/// DefaultReplicationPolicy): a group at 10 on `topic1`-2 with an offset-sync 3 -> 4 is
/// checkpointed as `source1.topic1`-2, 10 -> 5; a group at 12 on `target2.topic5`-6 (a topic
/// that came from the target) with a sync 7 -> 8 is checkpointed as `topic5`-6, 12 -> 9, and
/// one at exactly 7 as 7 -> 8. The bytes follow `Checkpoint.recordKey`/`recordValue` and
/// `OffsetSync.recordKey`/`recordValue` (Kafka `Struct`s: a string is an int16 length and
/// UTF-8; integers big-endian; a value starts with its int16 version, 0), written out by hand.
@Suite("MM2 conformance: checkpoints named as MM2 names them")
struct MM2NamingConformanceTests {
  /// (key, value) hex of each record, as MirrorCheckpointTask and MirrorSourceTask emit them.
  static let checkpoints = [
    // group9, source1.topic1, 2 | upstream 10, downstream 5, metadata ""
    ("000667726f757039000e736f75726365312e746f7069633100000002", "0000000000000000000a00000000000000050000"),
    // group11, topic5, 6 | 12, 9
    ("000767726f757031310006746f7069633500000006", "0000000000000000000c00000000000000090000"),
    // group13, topic5, 6 | 7, 8
    ("000767726f757031330006746f7069633500000006", "0000000000000000000700000000000000080000"),
  ]
  static let offsetSyncs = [
    // topic1, 2 | upstream 3, downstream 4
    ("0006746f7069633100000002", "00000000000000030000000000000004"),
    // target2.topic5, 6 | 7, 8
    ("000e746172676574322e746f7069633500000006", "00000000000000070000000000000008"),
  ]
  /// IdentityReplicationPolicy keeps names: group9's checkpoint names `topic1` itself.
  static let identityCheckpoint = (
    "000667726f7570390006746f7069633100000002", "0000000000000000000a00000000000000050000"
  )

  static func bytes(_ hex: String) -> [UInt8] {
    stride(from: 0, to: hex.count, by: 2).map {
      let i = hex.index(hex.startIndex, offsetBy: $0)
      return UInt8(hex[i..<hex.index(i, offsetBy: 2)], radix: 16)!
    }
  }

  struct World {
    let source: SimulatedRegion
    let target: SimulatedRegion
    let targetClient: KafkaClient
    let sourceClient: KafkaClient
    let topology: Topology
    let flow: Flow
    let store: StateStore
  }

  static func region(_ name: String, _ broker: SimulatedRegion.Broker) async throws -> SimulatedRegion {
    switch broker {
    case .mock: return try SimulatedRegion(name: name, brokers: 1)
    case .tansu:
      let binary = try #require(TansuBroker.locate(), "no Tansu binary: run `make deps`")
      return try await SimulatedRegion.tansu(name: name, binary: binary)
    }
  }

  /// `source1` and `target2` as MM2 leaves them: each side's own topic and the other's copy.
  static func world(policy: ReplicationPolicy, broker: SimulatedRegion.Broker) async throws -> World {
    let source = try await region("source1", broker)
    let target = try await region("target2", broker)
    let flow = Flow(source: "source1", target: "target2", replicationPolicy: policy)
    // Tansu answers ListOffsets "latest" with the last batch's base offset + 1: one record
    // per batch keeps the ends the ingester reads to exact (docs/testing.md).
    let properties = broker == .tansu ? Lab.tansuClientProperties : [:]
    let topology = Topology(
      regions: [Region(name: "r1"), Region(name: "r2")],
      clusters: [
        Cluster(name: "source1", region: "r1", bootstrapServers: source.bootstrapServers, properties: properties),
        Cluster(name: "target2", region: "r2", bootstrapServers: target.bootstrapServers, properties: properties),
      ],
      flows: [flow],
      services: [
        Service(
          name: "svc", primary: "source1", standbys: ["target2"], topics: ["topic1", "topic5"],
          consumerGroups: ["group9", "group11", "group13"])
      ])
    try await source.createTopics([
      ("topic1", 3), ("target2.topic5", 7), (flow.offsetSyncsTopic, 1),
    ])
    try await target.createTopics([
      (policy == .identity ? "topic1" : "source1.topic1", 3), ("topic5", 7), (flow.checkpointsTopic, 1),
      (flow.remoteHeartbeatsTopic, 1),
    ])
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mm2conf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return World(
      source: source, target: target,
      targetClient: try topology.cluster("target2")!.makeClient(timeout: .seconds(5)),
      sourceClient: try topology.cluster("source1")!.makeClient(timeout: .seconds(5)),
      topology: topology, flow: flow, store: try await StateStore.open(path: dir.appendingPathComponent("s.db").path))
  }

  static func produce(_ client: KafkaClient, _ topic: String, _ records: [(String, String)]) async throws {
    _ = try await client.produce(
      records.map { ProducerRecord(topic: topic, partition: 0, key: bytes($0.0), value: bytes($0.1)) })
  }

  /// Writes the records where MM2 writes them (syncs on the source, checkpoints on the
  /// target) and reads them into the store as the orchestrator's ingester does.
  @discardableResult
  static func ingest(_ w: World, syncs: [(String, String)], checkpoints: [(String, String)]) async throws
    -> MM2Ingester.Stats
  {
    try await produce(w.sourceClient, w.flow.offsetSyncsTopic, syncs)
    try await produce(w.targetClient, w.flow.checkpointsTopic, checkpoints)
    return try await MM2Ingester(flow: w.flow, topology: w.topology, store: w.store).catchUp(timeout: .seconds(20))
  }

  @Test func theGoldenRecordsDecodeToWhatMM2Wrote() throws {
    let decoded = try Self.checkpoints.map { try Checkpoint.decode(key: Self.bytes($0.0), value: Self.bytes($0.1)) }
    #expect(decoded.map(\.topic) == ["source1.topic1", "topic5", "topic5"])
    #expect(decoded.map(\.downstreamOffset) == [5, 9, 8])
    let syncs = try Self.offsetSyncs.map { try OffsetSync.decode(key: Self.bytes($0.0), value: Self.bytes($0.1)) }
    #expect(syncs.map(\.topic) == ["topic1", "target2.topic5"])
  }

  /// Each checkpoint lands on the topic that exists on the target: `source1.topic1` (not
  /// `source1.source1.topic1`) and `topic5` (the original, for the copy that came from it).
  @Test(arguments: SimulatedRegion.Broker.allCases)
  func defaultPolicyCheckpointsAreTranslatedOntoTheTopicsThatExistOnTheTarget(broker: SimulatedRegion.Broker)
    async throws
  {
    let w = try await Self.world(policy: .default, broker: broker)
    defer {
      w.source.stop()
      w.target.stop()
    }
    let stats = try await Self.ingest(w, syncs: Self.offsetSyncs, checkpoints: Self.checkpoints)
    #expect(stats.checkpoints == 3 && stats.offsetSyncs == 2 && stats.poison == 0)

    // The source is gone (an unplanned failover): the stored state alone.
    let planner = TranslationPlanner(flow: w.flow, topology: w.topology, store: w.store)
    let translations = try await planner.translate(mode: .checkpoint)
    let seen = translations.map {
      "\($0.group) \($0.sourceTopic)-\($0.partition) -> \($0.targetTopic) \($0.translatedOffset ?? -1)"
    }
    #expect(
      seen.sorted() == [
        "group11 target2.topic5-6 -> topic5 9", "group13 target2.topic5-6 -> topic5 8",
        "group9 topic1-2 -> source1.topic1 5",
      ], "\(seen)")

    let outcomes = try await OffsetApplier(target: w.targetClient, planner: planner).apply(translations)
    #expect(outcomes.allSatisfy { $0.status == .written }, "\(outcomes)")
    let g9 = try await w.targetClient.committedOffsets(
      group: "group9", partitions: [TopicPartition("source1.topic1", 2)])
    #expect(g9[TopicPartition("source1.topic1", 2)] == 5)
    let g11 = try await w.targetClient.committedOffsets(group: "group11", partitions: [TopicPartition("topic5", 6)])
    #expect(g11[TopicPartition("topic5", 6)] == 9)

    // The offset-sync rule gives the same answers (MM2's OffsetSyncStore.translateDownstream:
    // one past the sync's downstream offset, exact at the sync).
    let viaSyncs = try await planner.translate(mode: .offsetSync)
    #expect(
      viaSyncs.allSatisfy { t in
        translations.contains { $0.group == t.group && $0.translatedOffset == t.translatedOffset }
      })
  }

  @Test(arguments: SimulatedRegion.Broker.allCases)
  func identityPolicyCheckpointsKeepTheirNames(broker: SimulatedRegion.Broker) async throws {
    let w = try await Self.world(policy: .identity, broker: broker)
    defer {
      w.source.stop()
      w.target.stop()
    }
    try await Self.ingest(w, syncs: [Self.offsetSyncs[0]], checkpoints: [Self.identityCheckpoint])
    let planner = TranslationPlanner(flow: w.flow, topology: w.topology, store: w.store)
    let translations = try await planner.translate(mode: .checkpoint, source: w.sourceClient)
    let t = try #require(translations.first { $0.group == "group9" && $0.partition == 2 })
    #expect(t.sourceTopic == "topic1" && t.targetTopic == "topic1" && t.translatedOffset == 5)
    let outcomes = try await OffsetApplier(target: w.targetClient, planner: planner).apply([t])
    #expect(outcomes.map(\.status) == [.written], "\(outcomes)")
  }

  /// A group with a live member on the target is left to its consumers (skipped and
  /// reported), on either broker. Tansu answers JoinGroup after half the session timeout:
  /// the member's is short.
  @Test(arguments: SimulatedRegion.Broker.allCases)
  func aGroupWithALiveMemberOnTheTargetIsSkipped(broker: SimulatedRegion.Broker) async throws {
    let w = try await Self.world(policy: .default, broker: broker)
    defer {
      w.source.stop()
      w.target.stop()
    }
    try await Self.ingest(w, syncs: Self.offsetSyncs, checkpoints: Self.checkpoints)
    let member = try KafkaConsumer(properties: [
      "bootstrap.servers": w.target.bootstrapServers, "group.id": "group9", "session.timeout.ms": "6000",
    ])
    try await member.subscribe(["source1.topic1"])
    var assigned: [TopicPartition] = []
    let joined = await eventually("group9 has a member on target2", timeout: .seconds(30)) {
      _ = try? await member.poll(max: 10, timeout: .milliseconds(100))
      assigned = (try? await member.assignment()) ?? []
      return !assigned.isEmpty
    }
    try #require(joined)
    if broker == .tansu {
      // Several groups are read from one listing of every group, answered in the order
      // asked (the mock has no DescribeGroups). Tansu 0.6's ListGroups lists none, so each
      // is Dead, group9 too: there the broker's refusal of the alter is what skips it.
      let described = try await w.targetClient.describeGroups(["group9", "group11", "nobody"])
      #expect(described.map(\.groupId) == ["group9", "group11", "nobody"])
      #expect(described.allSatisfy { $0.error == nil && $0.members.isEmpty }, "\(described)")
    }
    let planner = TranslationPlanner(flow: w.flow, topology: w.topology, store: w.store)
    let outcomes = try await OffsetApplier(target: w.targetClient, planner: planner).apply(
      try await planner.translate(mode: .checkpoint))
    let group9 = outcomes.filter { $0.group == "group9" }
    #expect(
      !group9.isEmpty && group9.allSatisfy { $0.status == .skipped && ($0.reason ?? "").contains("live members") })
    #expect(outcomes.filter { $0.group != "group9" }.allSatisfy { $0.status == .written }, "\(outcomes)")
  }

  /// The metadata probe calls a broker healthy while it answers and unreachable once its
  /// region goes dark, and healthy again when it is back (with its data).
  @Test(arguments: SimulatedRegion.Broker.allCases)
  func theProbeSeesTheBrokerGoDarkAndComeBack(broker: SimulatedRegion.Broker) async throws {
    let w = try await Self.world(policy: .default, broker: broker)
    defer {
      w.source.stop()
      w.target.stop()
    }
    let probe = KafkaMetadataProbe(
      cluster: "source1", client: w.sourceClient, bootstrapServers: w.source.bootstrapServers, expectedBrokers: 1)
    #expect(await probe.run().state == .healthy)
    w.source.fail()
    #expect(await probe.run().state == .unreachable)
    w.source.recover()
    let back = await eventually("source1 answers again") { await probe.run().state == .healthy }
    #expect(back)
    let marks = try await w.sourceClient.watermarks(for: [TopicPartition(w.flow.offsetSyncsTopic, 0)])
    #expect(marks[TopicPartition(w.flow.offsetSyncsTopic, 0)]?.high == 0)
  }
}
