import Foundation
import KafkaClient
import MM2
import Orchestrator
import Synchronization
import Topology

/// Two regions with a service each way of failing over, and every seam of the decision
/// code faked: the coordination store in memory, Kafka in memory, Connect recorded, MM2
/// state in a SQLite file of its own, time on a test clock. What the executor and the
/// switch see in production, without a process, a socket or a sleep.
public struct DecisionWorld: Sendable {
  public static let topology = Topology(
    regions: [Region(name: "r-east"), Region(name: "r-west")],
    clusters: [
      Cluster(name: "east", region: "r-east", bootstrapServers: "east:9092", connectURL: "http://connect-east:8083"),
      Cluster(name: "west", region: "r-west", bootstrapServers: "west:9092", connectURL: "http://connect-west:8083"),
    ],
    flows: [Flow(source: "east", target: "west"), Flow(source: "west", target: "east")],
    services: [
      Service(name: "orders", primary: "east", standbys: ["west"], topics: ["orders"], consumerGroups: ["orders-svc"]),
      Service(
        name: "payments", primary: "east", standbys: ["west"], topics: ["payments"], consumerGroups: ["payments-svc"]),
    ])

  public let topology = Self.topology
  public let store: any CoordinationStore
  public let memory: InMemoryCoordinationStore?
  public let mm2: StateStore
  public let kafka = InMemoryKafkaClusters(["east", "west"])
  public let connect: RecordingConnect
  public let refresh: ScriptedMM2Refresh
  public let clock = TestClock()
  public let published = PublishedStates()

  /// - Parameters:
  ///   - sqlite: the standalone store (the SQLite file) instead of the in-memory one.
  ///   - partitions: of `orders` and `payments` on east; each holds 101 records, all
  ///     synced (offset-sync upstream 100 → downstream 100) and checkpointed at 100.
  ///   - store: another coordination store (etcd) to run the same decisions against.
  public init(
    sqlite: Bool = false, store other: (any CoordinationStore)? = nil, partitions: Int = 3,
    refresh: ScriptedMM2Refresh = ScriptedMM2Refresh(), connect: RecordingConnect = RecordingConnect()
  ) async throws {
    self.connect = connect
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("decisions-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    mm2 = try await StateStore.open(path: dir.appendingPathComponent("local.db").path)
    if let other {
      store = other
      memory = nil
    } else if sqlite {
      store = mm2
      memory = nil
    } else {
      let m = InMemoryCoordinationStore()
      store = m
      memory = m
    }
    self.refresh = refresh
    try await store.ensureServices(topology)
    var batch = MM2Batch()
    for topic in ["orders", "payments"] {
      kafka["east"].topic(topic, highs: Array(repeating: 101, count: partitions))
      kafka["west"].topic("east.\(topic)", highs: Array(repeating: 101, count: partitions))
      for p in 0..<Int32(partitions) {
        for (u, d) in [(0, 0), (100, 100)] {
          batch.syncInserts.append(
            .init(topic: topic, partition: p, sync: .init(upstream: Int64(u), downstream: Int64(d)), timestamp: 0))
        }
        let group = "\(topic)-svc"
        batch.checkpoints.append(
          .init(
            checkpoint: Checkpoint(
              group: group, topic: "east.\(topic)", partition: p, upstreamOffset: 100, downstreamOffset: 100),
            timestamp: 1_000))
        kafka["east"].state.withLock { $0.committed[group, default: [:]][TopicPartition(topic, p)] = 100 }
      }
    }
    try await mm2.apply(batch, flow: "east->west")
  }

  public func executor(
    _ failpoints: Failpoints = Failpoints(environment: [:]), discoveryStaleness: Duration = .zero
  ) -> FailoverExecutor {
    let published = self.published
    // The journal stamps real time; the clock's sleeps move the executor's wall time on.
    return FailoverExecutor(
      topology: topology, store: store, mm2: mm2, kafka: kafka, connect: connect, refresh: refresh, clock: clock,
      failpoints: failpoints, now: { [clock] in Date().addingTimeInterval(clock.slept / .seconds(1)) },
      discoveryStaleness: discoveryStaleness, publish: { published.append($0) })
  }

  public var switcher: ServiceSwitch { ServiceSwitch(topology: topology, store: store, mm2: mm2, kafka: kafka) }

  public var settings: FailoverSettings {
    var s = FailoverSettings()
    s.retryDelay = .seconds(1)
    return s
  }

  /// Journals a promote of `service` to west (planned unless `forced`) and returns it open.
  public func open(_ service: String = "orders", forced: Bool = false, kind: FailoverKind = .promote) async throws
    -> FailoverRecord
  {
    let outcome = try await switcher.promote(
      service: service, PromoteRequest(target: "west", mode: forced ? .forced : .planned, reason: "test"),
      actor: "test", targetHealth: .healthy, kind: kind)
    return outcome.failover!
  }

  public func committed(_ cluster: String, _ group: String, _ tp: TopicPartition) -> Int64? {
    kafka[cluster].state.withLock { $0.committed[group]?[tp] }
  }
}

/// What the executor published to discovery, in order.
public final class PublishedStates: Sendable {
  public init() {}
  private let states = Mutex<[ServiceState]>([])
  public func append(_ s: ServiceState) { states.withLock { $0.append(s) } }
  public var all: [ServiceState] { states.withLock { $0 } }
}
