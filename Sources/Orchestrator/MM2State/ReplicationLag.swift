import Foundation
import KafkaClient
import Topology

/// How far a flow is behind, from the same MM2 data the translator uses.
public struct FlowLag: Sendable, Codable, Equatable {
  public struct Partition: Sendable, Codable, Equatable {
    public let topic: String
    public let partition: Int32
    public let sourceHighWatermark: Int64?
    public let newestSyncUpstream: Int64?
    /// Records written upstream past the newest offset-sync: not known to be replicated.
    /// Offset-syncs are sparse (MM2 emits one every `offset.lag.max` records), so this is
    /// an upper bound.
    public let recordsBehind: Int64?
  }

  public let flow: String
  public let partitions: [Partition]
  public let recordsBehind: Int64?
  public let checkpointAgeSeconds: Double?
  public let heartbeatAgeSeconds: Double?
  public let poisonRecords: Int

  /// - Parameter source: a client of the source cluster for high watermarks; nil or
  ///   unreachable leaves record lag unknown while ages are still reported.
  ///   `knownHighWatermarks` stands in for the source (its last answer, when it is gone).
  public static func measure(
    flow: Flow, store: StateStore, source: (any KafkaOperations)?, knownHighWatermarks: [TopicPartition: Int64] = [:],
    now: Date = Date()
  ) async throws -> FlowLag {
    let histories = try await store.offsetSyncHistories(flow: flow.name)
    let tps = histories.keys.sorted()
    var highs = knownHighWatermarks
    if let source, let answered = try? await source.watermarks(for: tps, timeout: .seconds(5)) {
      highs = answered.mapValues(\.high)
    }
    let partitions = tps.map { tp -> Partition in
      let high = highs[tp]
      let newest = histories[tp]?.newest?.upstream
      var behind: Int64? = nil
      if let high, let newest { behind = max(0, high - newest - 1) }
      return Partition(
        topic: tp.topic, partition: tp.partition, sourceHighWatermark: high, newestSyncUpstream: newest,
        recordsBehind: behind)
    }
    let nowMs = now.timeIntervalSince1970 * 1000
    let known = partitions.compactMap(\.recordsBehind)
    return FlowLag(
      flow: flow.name, partitions: partitions,
      recordsBehind: known.count == partitions.count && !partitions.isEmpty ? known.reduce(0, +) : nil,
      checkpointAgeSeconds: try await store.latestCheckpointTime(flow: flow.name).map {
        max(0, (nowMs - Double($0)) / 1000)
      },
      heartbeatAgeSeconds: try await store.latestHeartbeat(flow: flow.name).map { max(0, (nowMs - Double($0)) / 1000) },
      poisonRecords: try await store.poisonCount(flow: flow.name))
  }
}
