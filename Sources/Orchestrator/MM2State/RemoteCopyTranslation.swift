import Foundation
import KafkaClient
import Topology

/// Active-active: the offsets of one region's groups on the remote copies they read on the
/// cluster they leave (`west.orders` on east), translated onto the cluster they move to.
/// A copy of the target's own topic becomes that topic (`west.orders` on east → `orders`
/// on west: the copy's flow, read backwards); a copy from a third cluster stays a copy
/// (`central.orders` on east → the original on central, backwards → `central.orders` on
/// west, forwards). The region's local topic goes through `TranslationPlanner` as in any
/// failover; MM2 checkpoints do not cover the copies, so these rest on the offset-syncs
/// of the flows into the two clusters.
public struct RemoteCopyTranslation: Sendable {
  public let topology: Topology
  public let store: StateStore
  /// The region's lane (`orders@east`).
  public let lane: Service

  public init(topology: Topology, store: StateStore, lane: Service) {
    self.topology = topology
    self.store = store
    self.lane = lane
  }

  /// The copies the lane's clients read on `cluster`: the flow that makes each and the
  /// original topic.
  public func copies(on cluster: String) -> [(flow: Flow, topic: String)] {
    let clusters = topology.service(lane.baseName)?.clusters ?? lane.clusters
    return topology.flows.filter { $0.target == cluster && $0.source != cluster && clusters.contains($0.source) }
      .flatMap { flow in lane.topics.map { (flow, $0) } }
  }

  /// - Parameter source: a client of the cluster left, for the groups' live offsets; nil
  ///   or not answering: the offsets recorded while it was up.
  public func translate(from failed: String, to target: String, source: (any KafkaOperations)?) async throws
    -> [Translation]
  {
    var out: [Translation] = []
    // What was recorded of each group on the cluster left, read once.
    var recorded: [String: [TopicPartition: (Int64, Date)]] = [:]
    for group in lane.consumerGroups { recorded[group] = try await store.groupOffsets(cluster: failed, group: group) }
    for (flow, topic) in copies(on: failed) {
      let copy = flow.remoteTopic(topic)
      let back = try await store.offsetSyncHistories(flow: flow.name)
      let onward = flow.source == target ? nil : topology.flow(from: flow.source, to: target)
      var forward: [TopicPartition: OffsetSyncHistory] = [:]
      if let onward { forward = try await store.offsetSyncHistories(flow: onward.name) }
      for group in lane.consumerGroups {
        let committed = await committedOffsets(
          group, copy: copy, recorded: recorded[group, default: [:]], source: source, back)
        for (partition, (c, from)) in committed.sorted(by: { $0.key < $1.key }) {
          let original = TopicPartition(topic, partition)
          let b = OffsetTranslator.viaOffsetSyncBackwards(committed: c, history: back[original])
          var targetTopic = topic
          var result = b
          if flow.source != target {
            if let onward, let upstream = b.offset {
              targetTopic = onward.remoteTopic(topic)
              let f = OffsetTranslator.viaOffsetSync(committed: upstream, history: forward[original])
              let bound = b.redeliveryBound.flatMap { x in f.redeliveryBound.map { x + $0 } }
              result = OffsetTranslator.Result(
                offset: f.offset, basis: "\(b.basis) on \(flow.name); \(f.basis) on \(onward.name)",
                redeliveryBound: bound, error: f.error)
            } else if onward == nil {
              result = .failed("no flow \(flow.source)->\(target): \(copy) has no copy on \(target)")
            }
          }
          out.append(
            Translation(
              group: group, sourceTopic: copy, targetTopic: targetTopic, partition: partition, upstreamOffset: c,
              upstreamFrom: from, translatedOffset: result.offset, mode: .offsetSync, basis: result.basis,
              redeliveryBound: result.redeliveryBound, error: result.error))
        }
      }
    }
    return out
  }

  /// The group's committed offsets on the copy by partition, and where each comes from:
  /// live when the cluster answers, else as last recorded (older is safe: it only
  /// re-delivers).
  private func committedOffsets(
    _ group: String, copy: String, recorded all: [TopicPartition: (Int64, Date)], source: (any KafkaOperations)?,
    _ syncs: [TopicPartition: OffsetSyncHistory]
  ) async -> [Int32: (Int64, String)] {
    let recorded = all.filter { $0.key.topic == copy }
    var out: [Int32: (Int64, String)] = [:]
    for (tp, (offset, _)) in recorded { out[tp.partition] = (offset, "recorded") }
    guard let source else { return out }
    var partitions = Set(recorded.keys)
    for tp in syncs.keys { partitions.insert(TopicPartition(copy, tp.partition)) }
    if let live = try? await source.committedOffsets(
      group: group, partitions: partitions.sorted(), timeout: .seconds(3))
    {
      for (tp, offset) in live { if let offset { out[tp.partition] = (offset, "live") } }
    }
    return out
  }
}
