import Foundation
import KafkaClient
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// Active-active: once per probe interval, each region's groups' committed offsets on the
/// remote copies they read on their cluster, recorded in this instance's state. MM2's
/// checkpoints do not cover the copies, so when the cluster dies these are what the
/// region's failover translates from (older only re-delivers; docs/active-active.md).
struct CopyOffsetRecorder: ServiceLifecycle.Service {
  let topology: Topology
  let store: any CoordinationStore
  let local: StateStore
  let kafka: any KafkaClusters
  let health: HealthBoard
  let clock: any Clock<Duration>
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown { await loop() }
  }

  private func loop() async {
    while !Task.isCancelled {
      let states = (try? await store.serviceStates()) ?? []
      for lane in topology.lanes where lane.mode == .activeActive && !lane.consumerGroups.isEmpty {
        guard let cluster = states.first(where: { $0.service == lane.name })?.activeCluster,
          await health.health(of: cluster)?.state != .unreachable
        else { continue }
        do {
          try await record(lane.name, on: cluster)
        } catch {
          logger.debug("offsets of \(lane.name) on \(cluster) not recorded: \(error)")
        }
      }
      try? await clock.sleep(for: topology.probes.interval)
    }
  }

  private func record(_ name: String, on cluster: String) async throws {
    guard let lane = topology.service(name) else { return }
    let copies = Set(
      RemoteCopyTranslation(topology: topology, store: local, lane: lane).copies(on: cluster).map {
        $0.flow.remoteTopic($0.topic)
      })
    let client = try kafka.client(cluster)
    let description = try await client.describeCluster(timeout: .seconds(3))
    let partitions = description.topics.filter { copies.contains($0.name) }.flatMap { t in
      t.partitions.map { TopicPartition(t.name, $0.id) }
    }
    guard !partitions.isEmpty else { return }
    for group in lane.consumerGroups {
      let committed = try await client.committedOffsets(group: group, partitions: partitions, timeout: .seconds(3))
      try await local.recordGroupOffsets(cluster: cluster, group: group, committed.compactMapValues { $0 })
    }
  }
}
