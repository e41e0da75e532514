import Foundation
import KafkaClient
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// The standby-writes probe: once per probe interval, for every active-passive service,
/// the high watermarks of its own topics on each cluster that is not its active one (its
/// standbys, and after a failover the old primary once it answers again). Any growth is
/// reported `degraded` with the partitions and record counts, logged, and counted in
/// `kafka_failover_standby_writes_records`. It never moves a service: what to keep of a
/// split brain is the operator's call (docs/runbooks.md).
struct StandbyWriteProbe: ServiceLifecycle.Service {
  let topology: Topology
  let store: any CoordinationStore
  let kafka: any KafkaClusters
  let book: WritesBook
  let metrics: ServiceMetrics
  let clock: any Clock<Duration>
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown { await loop() }
  }

  private func loop() async {
    var watch = StandbyWriteWatch()
    var reported: [ServiceOnCluster: Int64] = [:]
    while !Task.isCancelled {
      let states = (try? await store.serviceStates()) ?? []
      // Each cluster described once a round, whatever the number of services on it.
      var described: [String: ClusterDescription?] = [:]
      for service in topology.services where service.mode == .activePassive {
        guard let state = states.first(where: { $0.service == service.name }) else { continue }
        let watched = service.clusters.filter { $0 != state.activeCluster && Self.watchable($0, state, topology) }
        watch.keep(service: service.name, clusters: Set(watched))
        var findings: [StandbyWrites] = []
        for cluster in watched {
          if described[cluster] == nil {
            described[cluster] = .some(try? await kafka.client(cluster).describeCluster(timeout: .seconds(3)))
          }
          guard let description = described[cluster] ?? nil,
            let high = await highWatermarks(service.name, on: cluster, description)
          else { continue }
          let f = watch.observe(
            service: service.name, cluster: cluster, active: state.activeCluster, high: high, at: Date())
          findings.append(f)
          metrics.standbyWrites(service: service.name, cluster: cluster, records: f.records)
          if reported[ServiceOnCluster(service: service.name, cluster: cluster), default: 0] != f.records, f.records > 0
          {
            let parts = f.partitions.map { "\($0.topic)[\($0.partition)]: \($0.records)" }.joined(separator: ", ")
            logger.warning(
              "standby writes: \(f.records) records written to \(service.name)'s topics on \(cluster), which is not its active cluster (\(state.activeCluster)): \(parts)"
            )
          }
          reported[ServiceOnCluster(service: service.name, cluster: cluster)] = f.records
        }
        await book.update(findings, service: service.name)
      }
      try? await clock.sleep(for: topology.probes.interval)
    }
  }

  /// A cluster whose copy of the topics keeps their names (identity replication, a link
  /// that keeps offsets) receives the replicated writes under the same names: growth there
  /// is replication, so it cannot be watched this way.
  static func watchable(_ cluster: String, _ state: ServiceState, _ topology: Topology) -> Bool {
    guard let flow = topology.flow(from: state.activeCluster, to: cluster) else { return true }
    return flow.replicationPolicy == .default
  }

  /// The service's own topics on `cluster` (named, or matching its pattern and not a
  /// remote copy); nil when the cluster does not answer.
  private func highWatermarks(_ name: String, on cluster: String, _ description: ClusterDescription) async -> [(
    topic: String, partition: Int32, offset: Int64
  )]? {
    guard let service = topology.service(name), let client = try? kafka.client(cluster) else { return nil }
    let prefixes = topology.flows.filter { $0.target == cluster }.map { $0.sourceAlias + $0.separator }
    let pattern = service.topicPattern.flatMap { try? Regex("^(?:\($0))$") }
    var partitions: [TopicPartition] = []
    for t in description.topics {
      let named = service.topics.contains(t.name)
      let matched =
        pattern.map { (try? $0.wholeMatch(in: t.name)) != nil } == true
        && !prefixes.contains { t.name.hasPrefix($0) }
      guard named || matched else { continue }
      partitions += t.partitions.map { TopicPartition(t.name, $0.id) }
    }
    guard let marks = try? await client.watermarks(for: partitions, timeout: .seconds(3)) else { return nil }
    return marks.map { ($0.key.topic, $0.key.partition, $0.value.high) }
  }
}
