import Foundation
import KafkaClient
import MM2
import Orchestrator
import Topology

/// Three regions writing to their own clusters and an active-active service, with every
/// seam of the decision code faked as in `DecisionWorld`; the coordination store may be a
/// real one.
public struct ActiveActiveWorld: Sendable {
  public static let names = ["east", "west", "central"]

  /// Three regions writing to their own clusters, replicated both ways between every pair;
  /// `orders` is active-active with a home and a group (`app-REGION`) per region.
  public static let topology: Topology = {
    var flows: [Flow] = []
    for a in names { for b in names where a != b { flows.append(Flow(source: a, target: b)) } }
    return Topology(
      regions: names.map { Region(name: $0) },
      clusters: names.map { Cluster(name: $0, region: $0, bootstrapServers: "\($0):9092") }, flows: flows,
      services: [
        Service(
          name: "orders", mode: .activeActive, primary: "east", standbys: ["west", "central"], topics: ["orders"],
          homes: names.map { RegionHome(region: $0, cluster: $0, consumerGroups: ["app-\($0)"]) })
      ])
  }()

  public let store: any CoordinationStore
  public let kafka = InMemoryKafkaClusters(ActiveActiveWorld.names)
  public let connect = RecordingConnect()
  public let clock = TestClock()
  public let published = PublishedStates()
  public let mm2: StateStore
  public let refresh: ScriptedMM2Refresh

  /// east's group `app-east` has read east's own `orders` to 40 (MM2 checkpointed it
  /// as 38 on west), `west.orders` to 25 and `central.orders` to 12 (recorded by the
  /// orchestrator while east was up). Copies are offset from their originals so that
  /// a translation that forgets a hop shows.
  /// - Parameter store: the coordination store (default: in memory; etcd in its suite).
  ///   - refresh: what reading MM2's topics does (default: nothing new).
  public init(store: (any CoordinationStore)? = nil, refresh: ScriptedMM2Refresh = ScriptedMM2Refresh()) async throws {
    self.store = store ?? InMemoryCoordinationStore()
    self.refresh = refresh
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("aa-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    mm2 = try await StateStore.open(path: dir.appendingPathComponent("local.db").path)
    try await self.store.ensureServices(ActiveActiveWorld.topology)
    func syncs(_ flow: String, _ pairs: [(Int64, Int64)]) async throws {
      var batch = MM2Batch()
      for (u, d) in pairs {
        batch.syncInserts.append(
          .init(topic: "orders", partition: 0, sync: .init(upstream: u, downstream: d), timestamp: 0))
      }
      try await mm2.apply(batch, flow: flow)
    }
    // east's orders → west's east.orders (downstream = upstream - 2), with a checkpoint.
    try await syncs("east->west", [(0, 0), (40, 38)])
    var cp = MM2Batch()
    cp.checkpoints.append(
      .init(
        checkpoint: Checkpoint(
          group: "app-east", topic: "east.orders", partition: 0, upstreamOffset: 40, downstreamOffset: 38),
        timestamp: 1_000))
    try await mm2.apply(cp, flow: "east->west")
    // west's orders → east's west.orders (downstream = upstream - 5).
    try await syncs("west->east", [(5, 0), (20, 15), (30, 25)])
    // central's orders → east's central.orders (downstream = upstream - 3) and → west's
    // central.orders (downstream = upstream + 7).
    try await syncs("central->east", [(3, 0), (10, 7)])
    try await syncs("central->west", [(0, 7), (10, 17), (15, 22)])
    try await mm2.recordGroupOffsets(
      cluster: "east", group: "app-east",
      [TopicPartition("west.orders", 0): 25, TopicPartition("central.orders", 0): 12])
    for name in ActiveActiveWorld.names {
      let others = ActiveActiveWorld.names.filter { $0 != name }
      kafka[name].topic("orders", highs: [60])
      for o in others { kafka[name].topic("\(o).orders", highs: [60]) }
    }
  }

  public func executor() -> FailoverExecutor {
    let published = self.published
    return FailoverExecutor(
      topology: ActiveActiveWorld.topology, store: store, mm2: mm2, kafka: kafka, connect: connect,
      refresh: refresh, clock: clock, publish: { published.append($0) })
  }

  public var switcher: ServiceSwitch {
    ServiceSwitch(topology: ActiveActiveWorld.topology, store: store, mm2: mm2, kafka: kafka)
  }
}
