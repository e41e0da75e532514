import Foundation
import HealthProbes

/// What the standby-writes probe found on one cluster for one active-passive service:
/// records written to the service's own (not replicated) topics there since it stopped
/// being the active cluster. Nothing should write there; anything that did is data the
/// active cluster does not have — a split brain the orchestrator did not cause.
public struct StandbyWrites: Sendable, Codable, Equatable {
  public struct PartitionWrites: Sendable, Codable, Equatable {
    public let topic: String
    public let partition: Int32
    public let records: Int64

    public init(topic: String, partition: Int32, records: Int64) {
      self.topic = topic
      self.partition = partition
      self.records = records
    }
  }

  public let service: String
  public let cluster: String
  /// `healthy` while nothing was written, `degraded` once anything was.
  public let state: HealthState
  public let records: Int64
  /// Only the partitions written to.
  public let partitions: [PartitionWrites]
  /// Since when the cluster is watched (the high watermarks then are the baseline).
  public let watchedSince: Date
  public let checkedAt: Date
}

/// The baselines of the standby-writes probe: the high watermarks of a service's topics on
/// each of its standbys when first read after the service's active cluster last changed.
/// Growth past them is a write nobody should have made. Kept in memory: a restarted
/// orchestrator starts from what the topics hold then.
public struct StandbyWriteWatch: Sendable {
  struct Baseline: Sendable {
    let active: String
    var high: [TopicPartitionKey: Int64]
    let since: Date
  }

  struct TopicPartitionKey: Hashable, Sendable, Comparable {
    let topic: String
    let partition: Int32
    static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
  }

  private var baselines: [ServiceOnCluster: Baseline] = [:]

  public init() {}

  /// One reading of `cluster`'s high watermarks for `service`'s own topics while `active`
  /// is the service's active cluster.
  public mutating func observe(
    service: String, cluster: String, active: String, high: [(topic: String, partition: Int32, offset: Int64)],
    at now: Date
  ) -> StandbyWrites {
    let key = ServiceOnCluster(service: service, cluster: cluster)
    var baseline = baselines[key]
    if baseline?.active != active { baseline = Baseline(active: active, high: [:], since: now) }
    var written: [StandbyWrites.PartitionWrites] = []
    for h in high.sorted(by: { ($0.topic, $0.partition) < ($1.topic, $1.partition) }) {
      let k = TopicPartitionKey(topic: h.topic, partition: h.partition)
      // A partition seen for the first time starts its own baseline.
      guard let base = baseline!.high[k] else {
        baseline!.high[k] = h.offset
        continue
      }
      if h.offset > base {
        written.append(.init(topic: h.topic, partition: h.partition, records: h.offset - base))
      } else if h.offset < base {
        // The topic was recreated or truncated: what it holds now is the new baseline.
        baseline!.high[k] = h.offset
      }
    }
    baselines[key] = baseline
    let records = written.reduce(0) { $0 + $1.records }
    return StandbyWrites(
      service: service, cluster: cluster, state: records > 0 ? .degraded : .healthy, records: records,
      partitions: written, watchedSince: baseline!.since, checkedAt: now)
  }

  /// Forgets the baselines of clusters no longer watched for `service`.
  public mutating func keep(service: String, clusters: Set<String>) {
    baselines = baselines.filter { key, _ in
      key.service != service || clusters.contains(key.cluster)
    }
  }
}
