import Foundation
import KafkaClient
import Orchestrator
import TestSupport
import Testing
import Topology

/// Lag over every partition of the topics a flow replicates, listed from the source's
/// metadata (and its last answer once it is gone), against an in-memory source.
@Suite("Flow lag over every partition")
struct FlowLagTests {
  let flow = Flow(source: "east", target: "west", topicsPattern: "orders|payments")
  let source = InMemoryKafkaCluster(name: "east")
  let store: StateStore

  init() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lag-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    store = try await StateStore.open(path: dir.appendingPathComponent("s.db").path)
  }

  func sync(_ topic: String, _ partition: Int32, _ upstream: Int64) async throws {
    var batch = MM2Batch()
    batch.syncInserts.append(
      .init(topic: topic, partition: partition, sync: .init(upstream: upstream, downstream: upstream), timestamp: 0))
    try await store.apply(batch, flow: flow.name)
  }

  @Test func anIdleFlowIsZeroBehindNotUnknown() async throws {
    source.topic("orders", highs: [0, 0, 0])
    let lag = try await FlowLag.measure(flow: flow, store: store, source: source)
    #expect(lag.recordsBehind == 0 && lag.source == .live)
    #expect(lag.partitions.count == 3 && lag.partitions.allSatisfy { $0.recordsBehind == 0 })
  }

  @Test func partitionsWithoutASyncCountFromTheirLogStart() async throws {
    source.topic("orders", highs: [10, 7])
    source.state.withLock { $0.watermarks[TopicPartition("orders", 1)] = Watermarks(low: 3, high: 7) }
    try await sync("orders", 0, 5)
    let lag = try await FlowLag.measure(flow: flow, store: store, source: source)
    // Partition 0: records 6...9 after the sync at 5; partition 1: 3...6, never synced.
    #expect(lag.partitions.map(\.recordsBehind) == [4, 4])
    #expect(lag.recordsBehind == 8)
  }

  @Test func aSyncOlderThanTheLogStartCountsFromTheLogStart() {
    #expect(FlowLag.behind(high: 100, logStart: 90, newestSync: 10) == 10)
    #expect(FlowLag.behind(high: 100, logStart: 0, newestSync: 99) == 0)
    #expect(FlowLag.behind(high: 40, logStart: 40, newestSync: nil) == 0)
  }

  @Test func onceTheSourceIsGoneItsLastAnswerStandsForIt() async throws {
    source.topic("orders", highs: [20])
    try await sync("orders", 0, 9)
    _ = try await FlowLag.measure(flow: flow, store: store, source: source)
    source.setDown(true)
    let gone = try await FlowLag.measure(flow: flow, store: store, source: source)
    #expect(gone.source == .lastKnown && gone.recordsBehind == 10)
    // Without a source at all (the API's status): the stored answer, no round trip.
    let stored = try await FlowLag.measure(flow: flow, store: store, source: nil)
    #expect(stored.recordsBehind == 10 && stored.partitions.first?.sourceHighWatermark == 20)
  }

  @Test func aSourceThatNeverAnsweredLeavesTheLagUnknown() async throws {
    source.setDown(true)
    let lag = try await FlowLag.measure(flow: flow, store: store, source: source)
    #expect(lag.recordsBehind == nil && lag.source == .none && lag.partitions.isEmpty)
  }

  /// What MM2 does not replicate along the flow is not lag: topics outside its filter,
  /// internal topics, heartbeats, and copies that came from the target.
  @Test func onlyTopicsTheFlowReplicatesCount() async throws {
    for topic in [
      "orders", "other", "west.orders", "heartbeats", "mm2-offset-syncs.west.internal", "__consumer_offsets",
    ] {
      source.topic(topic, highs: [5])
    }
    let lag = try await FlowLag.measure(flow: flow, store: store, source: source)
    #expect(lag.partitions.map(\.topic) == ["orders"])
    #expect(lag.recordsBehind == 5)
  }
}
