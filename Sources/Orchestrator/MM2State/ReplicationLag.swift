import Foundation
import KafkaClient
import Topology

/// How far a flow is behind, over every partition of the topics it replicates.
public struct FlowLag: Sendable, Codable, Equatable {
  public struct Partition: Sendable, Codable, Equatable {
    public let topic: String
    public let partition: Int32
    public let sourceHighWatermark: Int64?
    public let newestSyncUpstream: Int64?
    /// Records written upstream past the newest offset-sync, or since the log start when the
    /// partition has none: not known to be replicated. Offset-syncs are sparse (MM2 emits one
    /// every `offset.lag.max` records), so this is an upper bound; an empty partition is 0.
    public let recordsBehind: Int64?
    /// Where the source's log of this partition starts (records before it are gone).
    public var sourceLogStart: Int64? = nil

    public init(
      topic: String, partition: Int32, sourceHighWatermark: Int64?, newestSyncUpstream: Int64?, recordsBehind: Int64?,
      sourceLogStart: Int64? = nil
    ) {
      self.topic = topic
      self.partition = partition
      self.sourceHighWatermark = sourceHighWatermark
      self.newestSyncUpstream = newestSyncUpstream
      self.recordsBehind = recordsBehind
      self.sourceLogStart = sourceLogStart
    }
  }

  /// Where the source's partitions come from.
  public enum SourceView: String, Sendable, Codable {
    /// The source answered this measurement.
    case live
    /// The source did not answer: its partitions and watermarks as last measured.
    case lastKnown = "last-known"
    /// The source has never answered: nothing is known, the lag is unknown.
    case none
  }

  public let flow: String
  public let partitions: [Partition]
  /// The sum over every partition; known whenever the source has answered once.
  public let recordsBehind: Int64?
  public let checkpointAgeSeconds: Double?
  public let heartbeatAgeSeconds: Double?
  public let poisonRecords: Int
  public var source: SourceView = .live
  /// When the source's partitions were measured.
  public var sourceMeasuredAt: Date? = nil

  public init(
    flow: String, partitions: [Partition], recordsBehind: Int64?, checkpointAgeSeconds: Double?,
    heartbeatAgeSeconds: Double?, poisonRecords: Int, source: SourceView = .live, sourceMeasuredAt: Date? = nil
  ) {
    self.flow = flow
    self.partitions = partitions
    self.recordsBehind = recordsBehind
    self.checkpointAgeSeconds = checkpointAgeSeconds
    self.heartbeatAgeSeconds = heartbeatAgeSeconds
    self.poisonRecords = poisonRecords
    self.source = source
    self.sourceMeasuredAt = sourceMeasuredAt
  }

  /// Records of one partition not known to be replicated: none in an empty partition; past
  /// the newest sync (whose upstream record is replicated); all since the log start without
  /// a sync, or when the newest sync is older than the log start.
  public static func behind(high: Int64, logStart: Int64, newestSync: Int64?) -> Int64 {
    let replicatedUpTo = max(newestSync.map { $0 + 1 } ?? logStart, logStart)
    return max(0, high - replicatedUpTo)
  }

  /// - Parameter source: a client of the source cluster. Its metadata lists the partitions
  ///   (every topic the flow replicates, with or without an offset-sync) and its watermarks
  ///   bound them; what it answered is stored, and stands for it when it does not answer
  ///   (nil: a measurement from the stored answer only, without a round trip).
  public static func measure(
    flow: Flow, store: StateStore, source: (any KafkaOperations)?, now: Date = Date()
  ) async throws -> FlowLag {
    let histories = try await store.offsetSyncHistories(flow: flow.name)
    var view = SourceView.none
    var known: [TopicPartition: SourcePartition] = [:]
    var measuredAt: Date? = nil
    if let source, let answered = await sourcePartitions(flow, source, now: now) {
      try await store.recordSourcePartitions(flow: flow.name, answered, measuredAt: now)
      (known, measuredAt, view) = (answered, now, .live)
    } else if let stored = try await store.sourcePartitions(flow: flow.name) {
      (known, measuredAt, view) = (stored.partitions, stored.measuredAt, .lastKnown)
    }
    let partitions = known.keys.sorted().map { tp -> Partition in
      let p = known[tp]!
      let newest = histories[tp]?.newest?.upstream
      return Partition(
        topic: tp.topic, partition: tp.partition, sourceHighWatermark: p.highWatermark, newestSyncUpstream: newest,
        recordsBehind: behind(high: p.highWatermark, logStart: p.logStart, newestSync: newest),
        sourceLogStart: p.logStart)
    }
    let nowMs = now.timeIntervalSince1970 * 1000
    return FlowLag(
      flow: flow.name, partitions: partitions,
      recordsBehind: view == .none ? nil : partitions.compactMap(\.recordsBehind).reduce(0, +),
      checkpointAgeSeconds: try await store.latestCheckpointTime(flow: flow.name).map {
        max(0, (nowMs - Double($0)) / 1000)
      },
      heartbeatAgeSeconds: try await store.latestHeartbeat(flow: flow.name).map { max(0, (nowMs - Double($0)) / 1000) },
      poisonRecords: try await store.poisonCount(flow: flow.name), source: view,
      sourceMeasuredAt: measuredAt)
  }

  /// Every partition of the topics the flow replicates, with its watermarks; nil when the
  /// source does not answer.
  static func sourcePartitions(_ flow: Flow, _ source: any KafkaOperations, now: Date) async -> [TopicPartition:
    SourcePartition]?
  {
    guard let description = try? await source.describeCluster(timeout: .seconds(5)) else { return nil }
    let tps = description.topics.filter { $0.error == nil && flow.replicates(topic: $0.name) }
      .flatMap { t in t.partitions.map { TopicPartition(t.name, $0.id) } }
    guard let marks = try? await source.watermarks(for: tps, timeout: .seconds(5)) else { return nil }
    var out: [TopicPartition: SourcePartition] = [:]
    for (tp, m) in marks { out[tp] = SourcePartition(logStart: m.low, highWatermark: m.high, measuredAt: now) }
    return out
  }
}
