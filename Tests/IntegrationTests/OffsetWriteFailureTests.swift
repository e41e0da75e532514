import Foundation
import KafkaClient
import KafkaLab
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

/// A failover whose offsets the target refuses (OffsetCommit answered with
/// UNKNOWN_TOPIC_OR_PARTITION, as Kafka answers for a partition it does not have), through
/// the real executor against two mock clusters: the service always keeps a cluster.
@Suite("A failover that cannot write offsets, against mock clusters")
struct OffsetWriteFailureTests {
  let lab: Lab
  let topology: Topology
  let store: StateStore

  init() async throws {
    lab = try Lab(
      regions: ["east", "west"], brokersPerRegion: 1,
      services: [Lab.LabService(name: "orders", topics: ["orders"], groups: ["orders-processor"], partitions: 1)])
    topology = lab.topology
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("owf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    store = try await StateStore.open(path: dir.appendingPathComponent("s.db").path)
    try await store.ensureServices(topology)
    // Five records on east, copied to west with MM2's offset-syncs; the group read them all.
    let flow = topology.flow(from: "east", to: "west")!
    let east = try topology.cluster("east")!.makeClient()
    let west = try topology.cluster("west")!.makeClient()
    _ = try await east.produce((0..<5).map { ProducerRecord(topic: "orders", partition: 0, value: [UInt8($0)]) })
    _ = try await west.produce((0..<5).map { ProducerRecord(topic: "east.orders", partition: 0, value: [UInt8($0)]) })
    let syncs = [
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 0, downstreamOffset: 0),
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 4, downstreamOffset: 4),
    ]
    _ = try await east.produce(
      syncs.map { ProducerRecord(topic: flow.offsetSyncsTopic, partition: 0, key: $0.key, value: $0.value) })
    _ = try await east.alterGroupOffsets(group: "orders-processor", offsets: [TopicPartition("orders", 0): 5])
    // MM2's checkpoint of it, named as on the target.
    let checkpoint = Checkpoint(
      group: "orders-processor", topic: "east.orders", partition: 0, upstreamOffset: 5, downstreamOffset: 5)
    _ = try await west.produce([
      ProducerRecord(topic: flow.checkpointsTopic, partition: 0, key: checkpoint.key, value: checkpoint.value)
    ])
  }

  func executor() -> FailoverExecutor {
    FailoverExecutor(
      topology: topology, store: store, mm2: store, kafka: TopologyKafkaClusters(topology: topology),
      connect: RecordingConnect(), refresh: IngestRefresh(topology: topology, store: store), publish: { _ in })
  }

  var settings: FailoverSettings {
    var s = FailoverSettings()
    s.retryDelay = .milliseconds(100)
    return s
  }

  func open(_ mode: SwitchMode) async throws -> FailoverRecord {
    let outcome = try await ServiceSwitch(
      topology: topology, store: store, mm2: store, kafka: TopologyKafkaClusters(topology: topology)
    ).promote(
      service: "orders", PromoteRequest(target: "west", mode: mode, reason: "test"), actor: "test",
      targetHealth: .healthy)
    return try #require(outcome.failover)
  }

  @Test func aPlannedSwitchoverRollsBackAndTheSourceTakesWritesAgain() async throws {
    // OffsetCommit (API key 8) refused on west for every attempt.
    lab.region("west")!.injectErrors(apiKey: 8, errors: Array(repeating: 3, count: 3))
    let finished = await executor().run(try await open(.planned), settings: settings)
    #expect(
      finished.status == .rolledBack,
      "\(finished.error ?? "") \(finished.steps.map { "\($0.name) \($0.status) \($0.details)" })")
    #expect(finished.step(.writeOffsets)?.details.contains("UNKNOWN_TOPIC_OR_PART") == true)
    let state = try #require(try await store.serviceState("orders"))
    #expect(state.activeCluster == "east" && state.writable && state.epoch == 3)
  }

  @Test func anUnplannedFailoverSwitchesAndNamesWhatItCouldNotWrite() async throws {
    lab.region("west")!.injectErrors(apiKey: 8, errors: [3])
    let finished = await executor().run(try await open(.forced), settings: settings)
    #expect(finished.status == .succeeded, "\(finished.error ?? "")")
    let details = finished.step(.writeOffsets)?.details ?? ""
    #expect(details.contains("1 not written") && details.contains("orders-processor east.orders[0]"), "\(details)")
    #expect(details.contains("UNKNOWN_TOPIC_OR_PART"), "\(details)")
    let state = try #require(try await store.serviceState("orders"))
    #expect(state.activeCluster == "west" && state.writable && state.epoch == 3)
  }
}
