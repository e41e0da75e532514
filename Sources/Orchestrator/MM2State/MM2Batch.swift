import KafkaClient
import MM2
import Topology

/// What one poll of a flow's MM2 topics changes in the store, written in one transaction
/// together with the positions it reached, so a restart resumes exactly after it.
public struct MM2Batch: Sendable {
  public struct TimedCheckpoint: Sendable {
    public let checkpoint: Checkpoint
    /// Timestamp of the checkpoint record (ms since the epoch).
    public let timestamp: Int64

    public init(checkpoint: Checkpoint, timestamp: Int64) {
      self.checkpoint = checkpoint
      self.timestamp = timestamp
    }
  }

  public struct SyncInsert: Sendable {
    public let topic: String
    public let partition: Int32
    public let sync: OffsetSyncHistory.Sync
    public let timestamp: Int64

    public init(topic: String, partition: Int32, sync: OffsetSyncHistory.Sync, timestamp: Int64) {
      self.topic = topic
      self.partition = partition
      self.sync = sync
      self.timestamp = timestamp
    }
  }

  public struct SyncDelete: Sendable {
    public let topic: String
    public let partition: Int32
    public let upstream: Int64
  }

  public struct Poison: Sendable {
    public let topic: String
    public let partition: Int32
    public let offset: Int64
    public let error: String
  }

  public var checkpoints: [TimedCheckpoint] = []
  public var syncInserts: [SyncInsert] = []
  public var syncDeletes: [SyncDelete] = []
  public var heartbeats: [Heartbeat] = []
  /// Next offset to read, per internal topic partition.
  public var positions: [TopicPartition: Int64] = [:]
  public var poison: [Poison] = []

  public init() {}

  public var isEmpty: Bool {
    checkpoints.isEmpty && syncInserts.isEmpty && syncDeletes.isEmpty && heartbeats.isEmpty && positions.isEmpty
      && poison.isEmpty
  }
}

/// A checkpoint as stored, with the time its record was written.
public struct StoredCheckpoint: Sendable, Equatable {
  public let checkpoint: Checkpoint
  public let recordTimestamp: Int64

  public init(checkpoint: Checkpoint, recordTimestamp: Int64) {
    self.checkpoint = checkpoint
    self.recordTimestamp = recordTimestamp
  }
}

extension MM2Batch {
  /// The checkpoints to write: the last of each (group, topic, partition), as writing
  /// them all in turn would leave, in key order. MM2 checkpoints every group's partitions
  /// each interval, so a catch-up batch holds many of one key; and rows in the table's
  /// key order land on B-tree pages already at hand, where the order of a topic's
  /// partitions interleaved sent SQLite seeking across the table (`perf`: a third of
  /// ingesting end to end in its B-tree search and key compares).
  var latestCheckpointsInKeyOrder: [TimedCheckpoint] {
    func key(_ c: Checkpoint, before d: Checkpoint) -> Bool {
      if c.group != d.group { return c.group < d.group }
      if c.topic != d.topic { return c.topic < d.topic }
      return c.partition < d.partition
    }
    let all = checkpoints
    // Of equal keys the later record stays later: the index breaks the tie.
    let order = all.indices.sorted { a, b in
      if key(all[a].checkpoint, before: all[b].checkpoint) { return true }
      if key(all[b].checkpoint, before: all[a].checkpoint) { return false }
      return a < b
    }
    var out: [TimedCheckpoint] = []
    out.reserveCapacity(all.count)
    for (n, i) in order.enumerated() {
      if n + 1 < order.count {
        let next = all[order[n + 1]].checkpoint
        let c = all[i].checkpoint
        if c.partition == next.partition, c.group == next.group, c.topic == next.topic { continue }
      }
      out.append(all[i])
    }
    return out
  }
}
