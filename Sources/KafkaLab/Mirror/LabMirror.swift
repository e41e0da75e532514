import Foundation
import KafkaClient
import Logging
import MM2
import Topology

/// One replication flow of the lab, done the way MirrorMaker 2 does it, in its topics and
/// byte formats: records copied to the flow's remote topics (same partition, key, value,
/// headers and timestamp), offset-syncs on the flow's offset-syncs topic, checkpoints of
/// the source's consumer groups on the target, heartbeats. The orchestrator cannot tell
/// it from MM2. Replication can be slowed (`MirrorSettings`) and paused, as through
/// Connect's REST API.
public actor LabMirror {
  public let flow: Flow
  let topics: [String]
  let groups: [String]
  let settings: MirrorSettings
  let source: Cluster
  let target: Cluster
  /// The source's group offsets, read the way GroupOffsetBook explains.
  let sourceGroups: GroupOffsetBook
  let logger = Logger(label: "lab.mirror")
  private var syncs: [TopicPartition: PartitionSync] = [:]
  /// The next upstream offset to copy, per partition: where to resume after an error.
  private var next: [TopicPartition: Int64] = [:]
  private var paused = false
  /// Stopped (KIP-875): asked to stop, and whether the loop has let go of its batch, which
  /// is when Connect says STOPPED and offsets can be changed.
  private var stopRequested = false
  private var stopSettled = false
  /// Offsets were changed while stopped: the consumer seeks to `next` before copying again.
  private var reload = false
  /// Whether the source region is up: with a `delay`, what the mirror holds back when the
  /// source dies is dropped, as records a real mirror had not fetched yet would be.
  let sourceIsUp: @Sendable () -> Bool
  public private(set) var copied = 0

  public init(
    flow: Flow, topology: Topology, topics: [String], groups: [String], settings: MirrorSettings = .init(),
    sourceIsUp: @escaping @Sendable () -> Bool = { true }
  ) throws {
    self.sourceIsUp = sourceIsUp
    guard let source = topology.cluster(flow.source), let target = topology.cluster(flow.target) else {
      throw MirrorError(.unknownCluster, "flow \(flow.name) names an unknown cluster")
    }
    _ = try Regex(flow.topicsPattern)
    self.flow = flow
    // What MirrorSourceConnector would replicate of them: the flow's filter, no internal
    // topics, no cycle back to the target.
    self.topics = topics.filter { flow.replicates(topic: $0) }
    self.groups = groups
    self.settings = settings
    self.source = source
    self.target = target
    sourceGroups = GroupOffsetBook(bootstrapServers: source.bootstrapServers)
  }

  public func pause() {
    paused = true
    leaveStopped()
  }
  public func resume() {
    paused = false
    leaveStopped()
  }
  public var isPaused: Bool { paused }
  /// A stuck source task: nothing is copied, but heartbeats and checkpoints go on, as a
  /// MirrorSourceTask that stopped fetching still lets the heartbeat connector run. What
  /// offset-syncs and heartbeats cannot tell apart from a quiet flow, the canary can.
  private var stalled = false
  public func stall(_ on: Bool) { stalled = on }
  /// Stops copying as Connect's `PUT /connectors/{name}/stop` does; the state reads STOPPED
  /// once the copy in flight is done.
  public func stop() {
    paused = true
    stopRequested = true
  }
  public var isStopped: Bool { stopRequested && stopSettled }

  private func leaveStopped() {
    stopRequested = false
    stopSettled = false
  }

  /// The position in each source partition, as MirrorSourceConnector keeps it in Connect.
  public func offsets() -> [TopicPartition: Int64] { next }

  /// Moves the positions (KIP-875 `PATCH /connectors/{name}/offsets`): only while stopped,
  /// and only partitions of the flow's topics.
  public func alterOffsets(_ positions: [TopicPartition: Int64]) throws {
    guard isStopped else {
      throw MirrorError(.notStopped, "Connectors must be in the STOPPED state before their offsets can be modified")
    }
    for (tp, _) in positions where !topics.contains(tp.topic) {
      throw MirrorError(.notReplicated, "\(tp.topic) is not replicated by \(flow.name)")
    }
    next.merge(positions) { _, new in new }
    reload = true
  }

  /// Replicates until the task is cancelled; a region that is down is retried.
  public func run() async {
    var sourceClient: KafkaClient? = nil
    var targetClient: KafkaClient? = nil
    var consumer: KafkaConsumer? = nil
    var lastCheckpoint = ContinuousClock.now - .seconds(3600)
    var lastHeartbeat = ContinuousClock.now - .seconds(3600)
    while !Task.isCancelled {
      do {
        if sourceClient == nil {
          sourceClient = try KafkaClient(properties: source.clientProperties(), defaultTimeout: .seconds(2))
        }
        if targetClient == nil {
          targetClient = try KafkaClient(properties: target.clientProperties(), defaultTimeout: .seconds(2))
        }
        guard let sourceClient, let targetClient else { continue }
        if consumer == nil { consumer = try await follow(sourceClient) }
        guard let consumer else { continue }
        if paused {
          if stopRequested { stopSettled = true }
          try await Task.sleep(for: .milliseconds(100))
          continue
        }
        if reload {
          // Started again after its offsets changed: from them, as a restarted task would.
          reload = false
          try await consumer.assign(next)
        }
        if stalled {
          try await Task.sleep(for: .milliseconds(100))
        } else {
          try await copy(consumer, targetClient)
        }
        if ContinuousClock.now - lastHeartbeat >= settings.heartbeatInterval {
          lastHeartbeat = ContinuousClock.now
          try await heartbeat(targetClient)
        }
        if ContinuousClock.now - lastCheckpoint >= settings.checkpointInterval {
          lastCheckpoint = ContinuousClock.now
          try await checkpoint(sourceClient, targetClient)
        }
      } catch {
        if Task.isCancelled { break }
        logger.debug("mirror \(flow.name): \(error); retrying")
        // Resume from the first record not copied: a failed produce must not skip any.
        if let c = consumer, !next.isEmpty { try? await c.assign(next) }
        try? await Task.sleep(for: .milliseconds(200))
      }
    }
  }

  /// A consumer of every partition of the flow's topics, from the start (or where the
  /// mirror had got to).
  private func follow(_ client: KafkaClient) async throws -> KafkaConsumer {
    let description = try await client.describeCluster(timeout: .seconds(2))
    var positions: [TopicPartition: Int64] = [:]
    for t in description.topics where topics.contains(t.name) {
      for p in t.partitions {
        let tp = TopicPartition(t.name, p.id)
        positions[tp] = next[tp] ?? 0
      }
    }
    var props = try source.clientProperties()
    props["group.id"] = "lab-mirror-\(flow.name)"
    props["fetch.wait.max.ms"] = "20"
    let consumer = try KafkaConsumer(properties: props)
    try await consumer.assign(positions)
    next = positions
    return consumer
  }

  private func copy(_ consumer: KafkaConsumer, _ target: KafkaClient) async throws {
    let batch = try await consumer.poll(max: 2000, timeout: .milliseconds(50), headers: true)
    if paused {
      // Paused or stopped while the poll waited: what it fetched is read again after the
      // resume, so nothing produced after pause() returns is copied before the resume (one
      // full-suite run saw such a record copied). Connect's task would still send a batch
      // its poll returned (AbstractWorkerSourceTask.execute checks for a pause only before
      // polling); the lab pauses sooner so that a pause is a clear line for its callers.
      try await consumer.assign(next)
      return
    }
    var records = batch.records
    if settings.delay > .zero, let newest = records.last?.timestamp {
      let ready = Date().timeIntervalSince1970 * 1000 - settings.delay / .milliseconds(1)
      if Double(newest) > ready {
        try await Task.sleep(for: .milliseconds(Int64(Double(newest) - ready)))
      }
      guard sourceIsUp() else {
        // Read again from the first record not copied once the source is back.
        try await consumer.assign(next)
        return
      }
    }
    if let cap = settings.maxRecordsPerSecond, records.count > 0 {
      records = Array(records.prefix(max(1, cap / 20)))
    }
    // Recovered copies (failoverctl recover) are not replicated again: MM2 is configured with
    // Kafka Connect's Filter transform and the HasHeaderKey predicate on
    // `failoverctl.origin.cluster` (docs/runbooks.md), which this does. The offsets they take
    // leave a gap the offset-syncs cover, as for any filtered record.
    let replicated = records.filter { r in !r.headers.contains { $0.key == OriginHeader.cluster } }
    var syncRecords: [ProducerRecord] = []
    for r in records where !replicated.contains(where: { $0.offset == r.offset && $0.partition == r.partition }) {
      next[TopicPartition(r.topic, r.partition)] = r.offset + 1
    }
    if !replicated.isEmpty {
      let copies = replicated.map {
        ProducerRecord(
          topic: flow.remoteTopic($0.topic), partition: $0.partition, key: $0.key, value: $0.value,
          timestamp: $0.timestamp, headers: $0.headers)
      }
      let reports = try await target.produce(copies, timeout: .seconds(5))
      for (record, report) in zip(replicated, reports) {
        let tp = TopicPartition(record.topic, record.partition)
        next[tp] = record.offset + 1
        copied += 1
        if let s = syncs[tp, default: PartitionSync()].copied(
          upstream: record.offset, downstream: report.offset, offsetLagMax: settings.offsetLagMax)
        {
          syncRecords.append(syncRecord(tp, s))
        }
      }
      if records.count < batch.records.count {
        // The cap left records behind: read them again.
        try await consumer.assign(next)
      }
    }
    for tp in batch.reachedEnd.keys where records.count == batch.records.count {
      if let s = syncs[tp]?.flush() { syncRecords.append(syncRecord(tp, s)) }
    }
    if !syncRecords.isEmpty {
      let syncCluster = flow.offsetSyncsCluster == flow.source ? self.source : self.target
      _ = try await client(for: syncCluster).produce(syncRecords, timeout: .seconds(5))
    }
    if let cap = settings.maxRecordsPerSecond, !records.isEmpty {
      try await Task.sleep(for: .seconds(Double(records.count) / Double(cap)))
    }
  }

  private func syncRecord(_ tp: TopicPartition, _ s: (Int64, Int64)) -> ProducerRecord {
    let sync = OffsetSync(topic: tp.topic, partition: tp.partition, upstreamOffset: s.0, downstreamOffset: s.1)
    return ProducerRecord(topic: flow.offsetSyncsTopic, partition: 0, key: sync.key, value: sync.value)
  }

  private func heartbeat(_ target: KafkaClient) async throws {
    let beat = Heartbeat(
      sourceClusterAlias: flow.sourceAlias, targetClusterAlias: flow.targetAlias,
      timestamp: Int64(Date().timeIntervalSince1970 * 1000))
    _ = try await target.produce(
      [ProducerRecord(topic: flow.remoteHeartbeatsTopic, partition: 0, key: beat.key, value: beat.value)],
      timeout: .seconds(5))
  }

  /// MM2's MirrorCheckpointTask: each group's committed offsets on the source, translated
  /// through the syncs, written to the target's checkpoints topic under the topic's name on
  /// the target (`renameTopicPartition`), as MM2 writes them.
  private func checkpoint(_ source: KafkaClient, _ target: KafkaClient) async throws {
    let partitions = syncs.keys.sorted()
    guard !partitions.isEmpty else { return }
    var records: [ProducerRecord] = []
    for group in groups {
      let committed = try await sourceGroups.committed(group, partitions, timeout: .seconds(2))
      for tp in partitions {
        guard let upstream = committed[tp] ?? nil, let downstream = syncs[tp]?.translate(upstream) else { continue }
        let cp = Checkpoint(
          group: group, topic: flow.naming.checkpointTopic(forUpstream: tp.topic), partition: tp.partition,
          upstreamOffset: upstream,
          downstreamOffset: downstream)
        records.append(ProducerRecord(topic: flow.checkpointsTopic, partition: 0, key: cp.key, value: cp.value))
      }
    }
    if !records.isEmpty { _ = try await target.produce(records, timeout: .seconds(5)) }
  }

  private var clients: [String: KafkaClient] = [:]
  private func client(for cluster: Cluster) throws -> KafkaClient {
    if let c = clients[cluster.name] { return c }
    let c = try KafkaClient(properties: cluster.clientProperties(), defaultTimeout: .seconds(2))
    clients[cluster.name] = c
    return c
  }
}

public struct MirrorError: Error, CustomStringConvertible, Sendable {
  public enum Code: String, Sendable, Equatable {
    /// The flow names a cluster the topology does not have.
    case unknownCluster = "unknown-cluster"
    /// Offsets changed while the connector runs (Connect refuses the same).
    case notStopped = "not-stopped"
    /// An offset for a topic the flow does not replicate.
    case notReplicated = "not-replicated"
    /// The lab's control endpoint did not start.
    case notStarted = "not-started"
  }
  public let code: Code
  public let description: String
  init(_ code: Code, _ description: String) {
    self.code = code
    self.description = description
  }
}
