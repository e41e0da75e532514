import Foundation
import KafkaClient
import MM2
import Topology

/// Gathers what translation needs — stored checkpoints and sync histories, and the
/// groups' live committed offsets when the source answers — and translates every
/// group-partition of a flow.
public struct TranslationPlanner: Sendable {
  public let flow: Flow
  public let topology: Topology
  public let store: StateStore

  private let coverage: Coverage
  /// The services whose groups are translated.
  public let services: [Service]

  /// - Parameter service: translate that service's groups only (a failover moves one
  ///   service; another one on the same flow keeps its offsets), in either direction of
  ///   the flow (a failback runs along the standby's flow home). Without it, every service
  ///   that fails over along the flow.
  public init(flow: Flow, topology: Topology, store: StateStore, service: String? = nil) {
    self.flow = flow
    self.topology = topology
    self.store = store
    services =
      if let service { topology.service(service).map { [$0] } ?? [] } else { Self.services(of: flow, in: topology) }
    self.coverage = Coverage(services: services)
  }

  static func services(of flow: Flow, in topology: Topology) -> [Service] {
    topology.lanes.filter {
      ($0.primary == flow.source && $0.standbys.contains(flow.target))
        || ($0.mode == .activeActive && $0.clusters.contains(flow.source) && $0.clusters.contains(flow.target))
    }
  }

  public func covers(group: String) -> Bool { coverage.covers(group: group) }
  public func covers(topic: String) -> Bool { coverage.covers(topic: topic) }

  /// The default mode of a flow: identity for offset-preserving links, else checkpoints.
  public var defaultMode: TranslationMode { flow.replicationPolicy == .offsetPreserving ? .identity : .checkpoint }

  /// - Parameters:
  ///   - groups: the groups to translate; nil for every group the flow's services cover.
  ///   - source: a client of the source cluster for live committed offsets (and the
  ///     timestamp mode); nil or unreachable falls back to the last checkpoints.
  public func translate(
    groups requested: [String]? = nil, mode: TranslationMode? = nil, source: (any KafkaOperations)? = nil,
    target: (any KafkaOperations)? = nil, timestampMargin: Duration = .seconds(60)
  ) async throws -> [Translation] {
    let mode = mode ?? defaultMode
    let histories = try await store.offsetSyncHistories(flow: flow.name)
    var sourceTopics: ClusterDescription? = nil
    if let source { sourceTopics = try? await source.describeCluster(timeout: .seconds(3)) }

    // A checkpoint's key names the topic as it is on the target (MM2's
    // MirrorCheckpointTask.renameTopicPartition); translation works on the source's
    // partitions, so each is read back to the topic on the source it is about.
    var known = Set(histories.keys.map(\.topic)).union(services.flatMap(\.topics))
    known.formUnion(sourceTopics?.topics.map { $0.name } ?? [])
    known.formUnion(try await store.sourcePartitions(flow: flow.name)?.partitions.keys.map(\.topic) ?? [])
    if sourceTopics == nil, mode != .timestamp {
      // No live offsets to merge (a failover's usual case: the source is gone): each
      // group is translated as SQLite hands over its checkpoints, never all held at once.
      return try await translateStored(
        groups: requested.map(Set.init), mode: mode, known: known, histories: histories)
    }
    let wanted = GroupFilter(requested: requested.map(Set.init), coverage: coverage)
    let naming = flow.naming
    let knownTopics = known
    var index = try await store.foldCheckpointGroups(flow: flow.name) { _ in
      IndexedCheckpoints()
    } _: {
      state, group, checkpoints in
      guard wanted.admits(group) else { return }
      var byPartition: [TopicPartition: StoredCheckpoint] = [:]
      for k in state.names.bySourcePartition(checkpoints, naming: naming, known: knownTopics) {
        byPartition[k.tp] = checkpoints[k.index]
      }
      state.byGroup[group] = byPartition
      state.count += byPartition.count
    }
    let count = index.count
    // Taken out, not copied: the dictionary must have one owner for the removals below to
    // free what they remove.
    var checkpoints = index.byGroup
    index.byGroup = [:]
    var groups = Set(requested ?? services.flatMap(\.groupsToTranslate))
    groups.formUnion(checkpoints.keys)
    let live = await liveOffsets(
      groups: groups.sorted(), source: source, description: sourceTopics, checkpoints: checkpoints,
      histories: histories)

    var out: [Translation] = []
    out.reserveCapacity(count)
    for group in groups.sorted() {
      // Each group's checkpoints are let go once translated: at 1 M the translations and
      // the checkpoints are never all held at once.
      let stored = checkpoints.removeValue(forKey: group) ?? [:]
      // Without live offsets (the source is gone: a failover's usual case) the stored keys
      // are already distinct.
      let partitions = live[group].map { Set(stored.keys).union($0.keys).sorted() } ?? stored.keys.sorted()
      for tp in partitions {
        out.append(
          await translate(
            group: group, tp: tp, mode: mode, checkpoint: stored[tp], live: live[group]?[tp],
            history: histories[tp], source: source, target: target, margin: timestampMargin))
      }
    }
    return out
  }

  /// Every stored checkpoint's translation, group by group as the store reads them, in
  /// group then partition order; the live-offset path's answer when there are none.
  private func translateStored(
    groups requested: Set<String>?, mode: TranslationMode, known: Set<String>,
    histories allHistories: [TopicPartition: OffsetSyncHistory]
  ) async throws -> [Translation] {
    let flow = self.flow
    let wanted = GroupFilter(requested: requested, coverage: coverage)
    var done = try await store.foldCheckpointGroups(flow: flow.name) { count in
      StreamedTranslations(capacity: count)
    } _: { state, group, checkpoints in
      guard wanted.admits(group) else { return }
      var lastTopic: String? = nil
      var histories: [Int32: OffsetSyncHistory] = [:]
      for k in state.names.bySourcePartition(checkpoints, naming: flow.naming, known: known) {
        if k.tp.topic != lastTopic {
          lastTopic = k.tp.topic
          histories = state.names.histories(of: k.tp.topic, from: allHistories)
        }
        state.out.append(
          Self.translate(
            flow: flow, group: group, tp: k.tp, mode: mode, checkpoint: checkpoints[k.index], live: nil,
            history: histories[k.tp.partition]))
      }
    }
    // SQLite orders the names by their bytes; Swift's order can differ outside ASCII.
    if !done.out.isSorted(by: { $0.group <= $1.group }) {
      done.out.sort { ($0.group, $0.sourceTopic, $0.partition) < ($1.group, $1.sourceTopic, $1.partition) }
    }
    return done.out
  }

  private func translate(
    group: String, tp: TopicPartition, mode: TranslationMode, checkpoint: StoredCheckpoint?, live: Int64?,
    history: OffsetSyncHistory?, source: (any KafkaOperations)?, target: (any KafkaOperations)?, margin: Duration
  ) async -> Translation {
    guard mode == .timestamp else {
      return Self.translate(
        flow: flow, group: group, tp: tp, mode: mode, checkpoint: checkpoint, live: live, history: history)
    }
    let result = await TimestampTranslation(flow: flow, source: source, target: target, margin: margin)
      .translate(tp, committed: live)
    return Self.translation(flow: flow, group: group, tp: tp, mode: mode, checkpoint: checkpoint, live: live, result)
  }

  /// One group-partition by any mode but `timestamp`, which asks the clusters.
  static func translate(
    flow: Flow, group: String, tp: TopicPartition, mode: TranslationMode, checkpoint: StoredCheckpoint?,
    live: Int64?, history: OffsetSyncHistory?
  ) -> Translation {
    let committed = live ?? checkpoint?.checkpoint.upstreamOffset
    let result: OffsetTranslator.Result
    switch mode {
    case .checkpoint:
      if let checkpoint {
        result = OffsetTranslator.viaCheckpoint(checkpoint, liveCommitted: live, history: history)
      } else if let committed {
        // No checkpoint yet for this partition: the sync history is the next best source.
        result = OffsetTranslator.viaOffsetSync(committed: committed, history: history)
      } else {
        result = .failed("no committed offset and no checkpoint")
      }
    case .offsetSync:
      result =
        committed.map { OffsetTranslator.viaOffsetSync(committed: $0, history: history) }
        ?? .failed("no committed offset and no checkpoint")
    case .identity:
      result = committed.map { OffsetTranslator.identity(committed: $0) } ?? .failed("no committed offset")
    case .timestamp:
      result = .failed("the timestamp mode reads both clusters")
    }
    return translation(flow: flow, group: group, tp: tp, mode: mode, checkpoint: checkpoint, live: live, result)
  }

  private static func translation(
    flow: Flow, group: String, tp: TopicPartition, mode: TranslationMode, checkpoint: StoredCheckpoint?,
    live: Int64?, _ result: OffsetTranslator.Result
  ) -> Translation {
    let committed = live ?? checkpoint?.checkpoint.upstreamOffset
    let from = live != nil ? "live" : "checkpoint"
    // The checkpoint names the target's topic; without one, the same rule names it.
    let targetTopic = checkpoint?.checkpoint.topic ?? flow.naming.checkpointTopic(forUpstream: tp.topic)
    return Translation(
      group: group, sourceTopic: tp.topic, targetTopic: targetTopic, partition: tp.partition,
      upstreamOffset: committed, upstreamFrom: committed == nil ? "none" : from, translatedOffset: result.offset,
      mode: mode, basis: result.basisRecord, redeliveryBound: result.redeliveryBound, error: result.error)
  }

  /// Committed offsets of the groups on the source, for the partitions they are known to
  /// use; empty when there is no source client or it does not answer.
  private func liveOffsets(
    groups: [String], source: (any KafkaOperations)?, description: ClusterDescription?,
    checkpoints: [String: [TopicPartition: StoredCheckpoint]], histories: [TopicPartition: OffsetSyncHistory]
  ) async -> [String: [TopicPartition: Int64]] {
    guard let source, let description else { return [:] }
    var partitions = Set(histories.keys.filter { covers(topic: $0.topic) })
    for t in description.topics where covers(topic: t.name) {
      partitions.formUnion(t.partitions.map { TopicPartition(t.name, $0.id) })
    }
    var out: [String: [TopicPartition: Int64]] = [:]
    for group in groups {
      let tps = partitions.union(checkpoints[group, default: [:]].keys).sorted()
      guard let committed = try? await source.committedOffsets(group: group, partitions: tps, timeout: .seconds(5))
      else { continue }
      for (tp, offset) in committed { if let offset { out[group, default: [:]][tp] = offset } }
    }
    return out
  }
}

extension Array {
  fileprivate func isSorted(by inOrder: (Element, Element) -> Bool) -> Bool {
    indices.dropLast().allSatisfy { inOrder(self[$0], self[$0 + 1]) }
  }
}

/// Which groups a translation reads: those named, else those the flow's services cover
/// (each matched once, not once per checkpoint).
struct GroupFilter: Sendable {
  let requested: Set<String>?
  let coverage: Coverage

  func admits(_ group: String) -> Bool { requested?.contains(group) ?? coverage.covers(group: group) }
}

/// A flow's checkpoint topics read back to the source's names, and the source's sync
/// histories by topic, each worked out once per topic: splitting a name once per
/// checkpoint was a quarter of translating a million, and a million lookups by partition
/// hash a number, not a topic name each.
struct SourceNames: Sendable {
  private var upstreamOf: [String: String] = [:]
  private var historiesOf: [String: [Int32: OffsetSyncHistory]] = [:]

  /// One group's checkpoints by the source's partition (a checkpoint names the target's
  /// topic: MM2's MirrorCheckpointTask.renameTopicPartition), in partition order, as
  /// positions in `checkpoints`; of two that read back to one partition, the later.
  mutating func bySourcePartition(
    _ checkpoints: [StoredCheckpoint], naming: ReplicationNaming, known: Set<String>
  ) -> [(tp: TopicPartition, index: Int)] {
    // The store hands a group's rows over with their topics' strings shared: a topic is
    // looked up once per run of it.
    var lastTopic: String? = nil
    var upstream = ""
    let tps = checkpoints.map { c in
      let topic = c.checkpoint.topic
      if topic != lastTopic {
        lastTopic = topic
        if let known = upstreamOf[topic] {
          upstream = known
        } else {
          upstream = naming.upstreamTopic(ofCheckpointTopic: topic, known: known)
          upstreamOf[topic] = upstream
        }
      }
      return TopicPartition(upstream, c.checkpoint.partition)
    }
    // The store's order is the target's names; read back they are nearly always in the
    // same order, checked in one pass. Equal partitions keep the store's order.
    var order = Array(tps.indices)
    if !order.isSorted(by: { tps[$0] < tps[$1] }) { order.sort { (tps[$0], $0) < (tps[$1], $1) } }
    var out: [(tp: TopicPartition, index: Int)] = []
    out.reserveCapacity(order.count)
    for (n, i) in order.enumerated() where n + 1 == order.count || tps[order[n + 1]] != tps[i] {
      out.append((tps[i], i))
    }
    return out
  }

  mutating func histories(
    of topic: String, from all: [TopicPartition: OffsetSyncHistory]
  ) -> [Int32: OffsetSyncHistory] {
    if let known = historiesOf[topic] { return known }
    var byPartition: [Int32: OffsetSyncHistory] = [:]
    for (tp, h) in all where tp.topic == topic { byPartition[tp.partition] = h }
    historiesOf[topic] = byPartition
    return byPartition
  }
}

/// The stored-checkpoint path's fold: translations as each group is read.
struct StreamedTranslations: Sendable {
  var names = SourceNames()
  var out: [Translation] = []

  init(capacity: Int) { out.reserveCapacity(capacity) }
}

/// The live-offset path's fold: every wanted group's checkpoints by the source's
/// partition, for the live offsets to be merged with.
struct IndexedCheckpoints: Sendable {
  var names = SourceNames()
  var byGroup: [String: [TopicPartition: StoredCheckpoint]] = [:]
  var count = 0
}

/// The groups and topics a flow's services cover, with their patterns compiled once.
struct Coverage: Sendable {
  let groups: Set<String>
  let topics: Set<String>
  let groupPatterns: [NSRegularExpression]
  let topicPatterns: [NSRegularExpression]

  init(services: [Service]) {
    // A drill's canary group is translated with the service's own: its positions are what
    // the drill measures.
    groups = Set(services.flatMap(\.groupsToTranslate))
    topics = Set(services.flatMap(\.topics))
    // Patterns were validated with the topology; one that does not compile matches nothing.
    groupPatterns = services.compactMap(\.groupPattern).compactMap(Self.wholeName)
    topicPatterns = services.compactMap(\.topicPattern).compactMap(Self.wholeName)
  }

  func covers(group: String) -> Bool { groups.contains(group) || groupPatterns.contains { Self.matches($0, group) } }
  func covers(topic: String) -> Bool { topics.contains(topic) || topicPatterns.contains { Self.matches($0, topic) } }

  private static func wholeName(_ pattern: String) -> NSRegularExpression? {
    try? NSRegularExpression(pattern: "^(?:\(pattern))$")
  }

  private static func matches(_ regex: NSRegularExpression, _ s: String) -> Bool {
    regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
  }
}
