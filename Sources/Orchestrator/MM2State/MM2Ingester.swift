import Foundation
import KafkaClient
import Logging
import MM2
import Synchronization
import Topology

/// Follows one flow's MM2 topics — checkpoints and remote heartbeats on the target,
/// offset-syncs where the flow keeps them — and keeps their state in SQLite, so that
/// translation works from the last known state even when the source region is gone.
///
/// Every batch is written with the positions it reached, so a restart resumes after the
/// last stored record. A record that does not decode is logged, counted, stored in
/// `mm2_poison` and skipped: it never blocks the flow.
public actor MM2Ingester {
  public let flow: Flow
  private let store: StateStore
  private let followers: [Follower]
  private var histories: [TopicPartition: OffsetSyncHistory] = [:]
  private var loaded = false
  private let logger = Logger(label: "mm2.ingester")
  /// Decodes each record in the consumer's buffer, on its thread.
  private let decode: @Sendable (KafkaConsumer.BorrowedRecord) -> PolledRecord

  public struct Stats: Sendable, Equatable, Codable {
    public var checkpoints = 0
    public var offsetSyncs = 0
    public var heartbeats = 0
    public var poison = 0
    public var missingTopics: [String] = []

    public init() {}
  }

  public init(flow: Flow, topology: Topology, store: StateStore) throws {
    guard let target = topology.cluster(flow.target), let syncs = topology.cluster(flow.offsetSyncsCluster) else {
      throw ConfigReadError(file: "topology", reason: "flow \(flow.name) names an unknown cluster")
    }
    self.flow = flow
    self.store = store
    decode = PolledRecord.decoder(checkpoints: flow.checkpointsTopic, offsetSyncs: flow.offsetSyncsTopic)
    var targetTopics = [flow.checkpointsTopic, flow.remoteHeartbeatsTopic]
    var followers: [Follower] = []
    if syncs.name == target.name {
      targetTopics.append(flow.offsetSyncsTopic)
    } else {
      followers.append(try Follower(cluster: syncs, topics: [flow.offsetSyncsTopic]))
    }
    followers.insert(try Follower(cluster: target, topics: targetTopics), at: 0)
    self.followers = followers
  }

  /// Reads every followed partition up to the end it had when the call began, then
  /// returns. A cluster that cannot be reached within `timeout` is reported, not waited for.
  /// `sourceTimeout` bounds the part read from the flow's source (its offset-syncs topic
  /// by default), which an unplanned failover expects to be gone.
  @discardableResult
  public func catchUp(timeout: Duration = .seconds(30), sourceTimeout: Duration? = nil) async throws -> Stats {
    try await loadHistories()
    var stats = Stats()
    for follower in followers {
      let timeout = follower.cluster == flow.source ? min(sourceTimeout ?? timeout, timeout) : timeout
      let deadline = ContinuousClock.now + timeout
      let positions = try await store.ingestPositions(flow: flow.name)
      let ends = try await follower.start(positions: positions, timeout: timeout)
      stats.missingTopics += follower.missing
      var pending = ends.filter { tp, end in (positions[tp] ?? 0) < end }
      // The SQLite write of one batch overlaps the poll of the next.
      var writing: Task<Void, Error>? = nil
      while !pending.isEmpty, ContinuousClock.now < deadline {
        let batch = try await follower.consumer.poll(max: 20_000, timeout: .milliseconds(200), decode: decode)
        let result = process(batch)
        stats.add(result.stats)
        try await writing?.value
        let store = self.store
        let flowName = flow.name
        writing = Task { try await store.apply(result.batch, flow: flowName) }
        // Only an end at or past the one seen at the start counts: an end-of-partition
        // event can come from a fetch that saw an older high watermark.
        for (tp, next) in result.batch.positions where next >= (pending[tp] ?? Int64.max) { pending[tp] = nil }
        for (tp, offset) in batch.reachedEnd where offset >= (pending[tp] ?? Int64.max) { pending[tp] = nil }
      }
      try await writing?.value
      if !pending.isEmpty {
        throw KafkaError(
          code: -185, message: "ingest of \(flow.name) did not reach the end of \(pending.keys.sorted())",
          operation: "mm2 catch-up")
      }
    }
    return stats
  }

  /// Follows the flow until the task is cancelled; unreachable clusters are retried.
  public func run(pollTimeout: Duration = .milliseconds(500)) async {
    do { try await loadHistories() } catch {
      logger.error("cannot load offset-sync history of \(flow.name): \(error)")
      return
    }
    await withTaskGroup(of: Void.self) { group in
      for follower in followers {
        group.addTask { await self.follow(follower, pollTimeout: pollTimeout) }
      }
    }
  }

  private func follow(_ follower: Follower, pollTimeout: Duration) async {
    var started = false
    while !Task.isCancelled {
      do {
        if !started || !follower.missing.isEmpty {
          _ = try await follower.start(
            positions: try await store.ingestPositions(flow: flow.name), timeout: .seconds(5))
          started = true
        }
        let batch = try await follower.consumer.poll(max: 20_000, timeout: pollTimeout, decode: decode)
        let result = process(batch)
        try await store.apply(result.batch, flow: flow.name)
      } catch {
        if Task.isCancelled { break }
        logger.warning("ingest of \(flow.name) from \(follower.cluster): \(error); retrying")
        try? await Task.sleep(for: .seconds(1))
      }
    }
  }

  private func loadHistories() async throws {
    guard !loaded else { return }
    try await store.rereadCheckpointsIfMarked(flow: flow.name, checkpointsTopic: flow.checkpointsTopic)
    histories = try await store.offsetSyncHistories(flow: flow.name)
    loaded = true
  }

  struct Processed {
    var batch = MM2Batch()
    var stats = Stats()
  }

  /// A poll's decoded records as a batch; keeps the in-memory sync histories current.
  private func process(_ polled: KafkaConsumer.DecodedBatch<PolledRecord>) -> Processed {
    var out = Processed()
    var before: [TopicPartition: OffsetSyncHistory] = [:]
    // Record time of each sync seen in this batch, by partition and upstream offset.
    var syncTimes: [TopicPartition: [Int64: Int64]] = [:]
    // A poll returns a partition's records in runs: its position is stored once per run.
    var run: (topic: String, partition: Int32, next: Int64)? = nil
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    for record in polled.records {
      if let r = run, r.partition != record.partition || r.topic != record.topic {
        out.batch.positions[TopicPartition(r.topic, r.partition)] = r.next
      }
      run = (record.topic, record.partition, record.offset + 1)
      let timestamp = record.timestamp ?? now
      switch record.body {
      case .checkpoint(let c):
        out.batch.checkpoints.append(.init(checkpoint: c, timestamp: timestamp))
        out.stats.checkpoints += 1
      case .offsetSync(let s):
        let synced = TopicPartition(s.topic, s.partition)
        if before[synced] == nil { before[synced] = histories[synced] ?? OffsetSyncHistory() }
        histories[synced, default: OffsetSyncHistory()].add(
          .init(upstream: s.upstreamOffset, downstream: s.downstreamOffset))
        out.stats.offsetSyncs += 1
        syncTimes[synced, default: [:]][s.upstreamOffset] = timestamp
      case .heartbeat(let h):
        out.batch.heartbeats.append(h)
        out.stats.heartbeats += 1
      case .poison(let error):
        logger.warning(
          "poison record in \(record.topic)[\(record.partition)] at offset \(record.offset) of flow \(flow.name): \(error); skipped"
        )
        out.batch.poison.append(
          .init(topic: record.topic, partition: record.partition, offset: record.offset, error: error))
        out.stats.poison += 1
      }
    }
    if let r = run { out.batch.positions[TopicPartition(r.topic, r.partition)] = r.next }
    // Store the net change of each touched history: what it kept that is new, and what it dropped.
    for (tp, old) in before {
      let now = histories[tp] ?? OffsetSyncHistory()
      let oldSyncs = Set(old.syncs)
      for s in now.syncs where !oldSyncs.contains(s) {
        let ts = syncTimes[tp]?[s.upstream] ?? 0
        out.batch.syncInserts.append(.init(topic: tp.topic, partition: tp.partition, sync: s, timestamp: ts))
      }
      for u in Set(old.syncs.map(\.upstream)).subtracting(now.syncs.map(\.upstream)) {
        out.batch.syncDeletes.append(.init(topic: tp.topic, partition: tp.partition, upstream: u))
      }
    }
    return out
  }
}

extension MM2Ingester.Stats {
  public mutating func add(_ o: MM2Ingester.Stats) {
    checkpoints += o.checkpoints
    offsetSyncs += o.offsetSyncs
    heartbeats += o.heartbeats
    poison += o.poison
  }
}

/// One cluster's share of a flow's MM2 topics and the consumer reading them.
final class Follower: Sendable {
  let cluster: String
  let topics: [String]
  let client: KafkaClient
  let consumer: KafkaConsumer
  private let missingTopics = MissingTopics()

  init(cluster: Cluster, topics: [String]) throws {
    self.cluster = cluster.name
    self.topics = topics
    let props = try cluster.clientProperties()
    client = try KafkaClient(properties: props, defaultTimeout: .seconds(5))
    consumer = try KafkaConsumer(properties: props)
  }

  var missing: [String] { missingTopics.value }

  /// Assigns every existing partition of the topics from its stored position and returns
  /// each partition's current end.
  func start(positions: [TopicPartition: Int64], timeout: Duration) async throws -> [TopicPartition: Int64] {
    let description = try await client.describeCluster(timeout: timeout)
    var partitions: [TopicPartition] = []
    var missing: [String] = []
    for topic in topics {
      guard let info = description.topic(topic), info.error == nil else {
        missing.append(topic)
        continue
      }
      partitions += info.partitions.map { TopicPartition(topic, $0.id) }
    }
    missingTopics.set(missing)
    // -2 is librdkafka's "beginning of the partition".
    try await consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { ($0, positions[$0] ?? -2) }))
    return try await client.watermarks(for: partitions, timeout: timeout).mapValues(\.high)
  }
}

final class MissingTopics: Sendable {
  private let state = Mutex<[String]>([])
  var value: [String] { state.withLock { $0 } }
  func set(_ v: [String]) { state.withLock { $0 = v } }
}
