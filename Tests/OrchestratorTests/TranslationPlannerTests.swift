import Foundation
import KafkaClient
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

/// Translating a flow's stored checkpoints: without the source (a failover's usual case)
/// each group is translated as SQLite hands over its rows; with the source, through the
/// index that merges live offsets. Both must give the same answer.
@Suite("Translation of stored checkpoints")
struct TranslationPlannerTests {
  static let flow = Flow(source: "a", target: "b")
  static let topology = Topology(
    regions: [Region(name: "east"), Region(name: "west")],
    clusters: [
      Cluster(name: "a", region: "east", bootstrapServers: "a:1"),
      Cluster(name: "b", region: "west", bootstrapServers: "b:1"),
    ],
    flows: [flow],
    services: [
      Service(
        name: "orders", primary: "a", standbys: ["b"], topics: ["orders", "audit"],
        consumerGroups: ["b-group", "a-group", "é-group", "Z-group"])
    ])

  /// Checkpoints of four covered groups and one that is not, on two topics as MM2 names
  /// them on the target, stored in no particular order; an offset-sync history for one
  /// partition.
  func store() async throws -> StateStore {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("planner-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try await StateStore.open(path: dir.appendingPathComponent("state.db").path)
    try await store.ensureServices(Self.topology)
    var batch = MM2Batch()
    for u in [Int64(0), 100, 200] {
      batch.syncInserts.append(
        .init(topic: "orders", partition: 1, sync: .init(upstream: u, downstream: u / 2), timestamp: 0))
    }
    for group in ["é-group", "other", "b-group", "Z-group", "a-group"] {
      for (topic, partition) in [("a.orders", 2), ("a.audit", 1), ("a.orders", 0), ("a.audit", 0), ("a.orders", 1)] {
        let upstream = Int64(10 * partition + group.utf8.count)
        batch.checkpoints.append(
          .init(
            checkpoint: Checkpoint(
              group: group, topic: topic, partition: Int32(partition), upstreamOffset: upstream,
              downstreamOffset: upstream / 2),
            timestamp: 1_700_000_000_000))
      }
    }
    try await store.apply(batch, flow: Self.flow.name)
    return store
  }

  @Test func storedCheckpointsAreTranslatedInGroupThenPartitionOrderAsWithTheSource() async throws {
    let store = try await store()
    let planner = TranslationPlanner(flow: Self.flow, topology: Self.topology, store: store)
    let streamed = try await planner.translate()
    // The source answers but no group has committed there: the index path, same inputs.
    let source = InMemoryKafkaCluster(name: "a")
    source.topic("orders", highs: [100, 100, 100])
    source.topic("audit", highs: [100, 100])
    let indexed = try await planner.translate(source: source)
    #expect(streamed == indexed)
    // Swift's order of the names ("Z" < "a" < "b" < "é"), then the source's partitions.
    #expect(Set(streamed.map(\.group)) == ["Z-group", "a-group", "b-group", "é-group"])
    #expect(streamed.map(\.group) == streamed.map(\.group).sorted())
    let first = streamed.filter { $0.group == "a-group" }
    #expect(
      first.map { "\($0.sourceTopic)-\($0.partition)" } == ["audit-0", "audit-1", "orders-0", "orders-1", "orders-2"])
    #expect(first.map(\.targetTopic) == ["a.audit", "a.audit", "a.orders", "a.orders", "a.orders"])
    #expect(first.allSatisfy { $0.isTranslated && $0.upstreamFrom == "checkpoint" })
    #expect(first[3].basis == "checkpoint 17->8 at 1700000000000")

    let one = try await planner.translate(groups: ["b-group"])
    #expect(one == indexed.filter { $0.group == "b-group" })
    #expect(one.count == 5)
  }

  /// The basis is kept as numbers but written, compared and read back as its words.
  @Test func aTranslationIsWrittenAndReadBackWithItsBasisAsWords() async throws {
    let store = try await store()
    let translations = try await TranslationPlanner(flow: Self.flow, topology: Self.topology, store: store)
      .translate(groups: ["a-group"])
    let json = try JSONEncoder().encode(translations)
    let object = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
    #expect(object[0]["basis"] as? String == "checkpoint 7->3 at 1700000000000")
    #expect(try JSONDecoder().decode([Translation].self, from: json) == translations)
    let t = translations[0]
    let same = Translation(
      group: t.group, sourceTopic: t.sourceTopic, targetTopic: t.targetTopic, partition: t.partition,
      upstreamOffset: t.upstreamOffset, upstreamFrom: t.upstreamFrom, translatedOffset: t.translatedOffset,
      mode: t.mode, basis: "checkpoint 7->3 at 1700000000000", redeliveryBound: t.redeliveryBound, error: t.error)
    #expect(same == t)
    let other = Translation(
      group: t.group, sourceTopic: t.sourceTopic, targetTopic: t.targetTopic, partition: t.partition,
      upstreamOffset: t.upstreamOffset, upstreamFrom: t.upstreamFrom, translatedOffset: t.translatedOffset,
      mode: t.mode, basis: "checkpoint 7->3 at 1700000000001", redeliveryBound: t.redeliveryBound, error: t.error)
    #expect(other != t)
  }
}
