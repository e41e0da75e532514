import Foundation
import GRDB
import KafkaClient
import MM2
import Topology

extension StateStore {
  /// Writes a batch and the positions it reached atomically.
  public func apply(_ batch: MM2Batch, flow: String) async throws {
    guard !batch.isEmpty else { return }
    let checkpoints = batch.latestCheckpointsInKeyOrder
    try await write { db in
      let cp = try db.cachedStatement(
        sql: """
          INSERT INTO mm2_checkpoint (flow, grp, topic, partition, upstream_offset, downstream_offset, metadata, record_timestamp)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (flow, grp, topic, partition) DO UPDATE SET
            upstream_offset = excluded.upstream_offset, downstream_offset = excluded.downstream_offset,
            metadata = excluded.metadata, record_timestamp = excluded.record_timestamp
          """)
      try cp.executeRows(checkpoints) { row, t in
        let c = t.checkpoint
        try row.bind(1, flow)
        try row.bind(2, c.group)
        try row.bind(3, c.topic)
        try row.bind(4, Int64(c.partition))
        try row.bind(5, c.upstreamOffset)
        try row.bind(6, c.downstreamOffset)
        try row.bind(7, c.metadata)
        try row.bind(8, t.timestamp)
      }
      let del = try db.cachedStatement(
        sql: "DELETE FROM mm2_offset_sync WHERE flow = ? AND topic = ? AND partition = ? AND upstream_offset = ?")
      for d in batch.syncDeletes { try del.execute(arguments: [flow, d.topic, Int64(d.partition), d.upstream]) }
      let ins = try db.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO mm2_offset_sync (flow, topic, partition, upstream_offset, downstream_offset, record_timestamp)
          VALUES (?, ?, ?, ?, ?, ?)
          """)
      for i in batch.syncInserts {
        try ins.execute(
          arguments: [flow, i.topic, Int64(i.partition), i.sync.upstream, i.sync.downstream, i.timestamp])
      }
      let hb = try db.cachedStatement(
        sql: "INSERT OR REPLACE INTO mm2_heartbeat (flow, source_alias, target_alias, timestamp) VALUES (?, ?, ?, ?)")
      for h in batch.heartbeats {
        try hb.execute(arguments: [flow, h.sourceClusterAlias, h.targetClusterAlias, h.timestamp])
      }
      let pos = try db.cachedStatement(
        sql: "INSERT OR REPLACE INTO mm2_ingest_position (flow, topic, partition, next_offset) VALUES (?, ?, ?, ?)")
      for (tp, next) in batch.positions { try pos.execute(arguments: [flow, tp.topic, Int64(tp.partition), next]) }
      let poison = try db.cachedStatement(
        sql: "INSERT INTO mm2_poison (flow, topic, partition, record_offset, error, at) VALUES (?, ?, ?, ?, ?, ?)")
      for p in batch.poison {
        try poison.execute(arguments: [flow, p.topic, Int64(p.partition), p.offset, p.error, Date()])
      }
    }
  }

  /// Where the ingester of `flow` stopped, per internal topic partition.
  public func ingestPositions(flow: String) async throws -> [TopicPartition: Int64] {
    try await read { db in
      var out: [TopicPartition: Int64] = [:]
      let rows = try Row.fetchCursor(
        db, sql: "SELECT topic, partition, next_offset FROM mm2_ingest_position WHERE flow = ?", arguments: [flow])
      while let r = try rows.next() { out[TopicPartition(r[0], Int32(r[1] as Int64))] = r[2] }
      return out
    }
  }

  /// The retained offset-sync history of every partition of `flow`, keyed by source topic.
  public func offsetSyncHistories(flow: String) async throws -> [TopicPartition: OffsetSyncHistory] {
    try await read { db in
      var grouped: [TopicPartition: [OffsetSyncHistory.Sync]] = [:]
      let rows = try Row.fetchCursor(
        db,
        sql: "SELECT topic, partition, upstream_offset, downstream_offset FROM mm2_offset_sync WHERE flow = ?",
        arguments: [flow])
      while let r = try rows.next() {
        grouped[TopicPartition(r[0], Int32(r[1] as Int64)), default: []].append(.init(upstream: r[2], downstream: r[3]))
      }
      return grouped.mapValues { OffsetSyncHistory(syncs: $0) }
    }
  }

  /// The latest checkpoint of every (group, topic, partition) of `flow`, optionally only
  /// for some groups.
  public func checkpoints(flow: String, groups: Set<String>? = nil) async throws -> [StoredCheckpoint] {
    try await read { db in
      var out: [StoredCheckpoint] = []
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT grp, topic, partition, upstream_offset, downstream_offset, metadata, record_timestamp
          FROM mm2_checkpoint WHERE flow = ?
          """, arguments: [flow])
      while let r = try rows.next() {
        let group: String = r[0]
        if let groups, !groups.contains(group) { continue }
        out.append(
          StoredCheckpoint(
            checkpoint: Checkpoint(
              group: group, topic: r[1], partition: Int32(r[2] as Int64), upstreamOffset: r[3], downstreamOffset: r[4],
              metadata: r[5]), recordTimestamp: r[6]))
      }
      return out
    }
  }

  /// The checkpoints of `flow` one group at a time, in the order of the table's key
  /// (group, then the topic as named on the target, then partition): `fold` gets each
  /// group's as soon as they are read, so a caller that consumes them group by group never
  /// holds them all. `start` gets how many there are, to size what it builds.
  func foldCheckpointGroups<T: Sendable>(
    flow: String, start: @escaping @Sendable (Int) -> T,
    _ fold: @escaping @Sendable (inout T, String, [StoredCheckpoint]) -> Void
  ) async throws -> T {
    try await read { db in
      let count =
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mm2_checkpoint WHERE flow = ?", arguments: [flow]) ?? 0
      var out = start(count)
      let statement = try db.cachedStatement(
        sql: """
          SELECT grp, topic, partition, upstream_offset, downstream_offset, metadata, record_timestamp
          FROM mm2_checkpoint WHERE flow = ? ORDER BY grp, topic, partition
          """)
      try statement.setArguments([flow])
      var group: String? = nil
      var topic: String? = nil
      var pending: [StoredCheckpoint] = []
      try statement.forEachRow { row in
        let g = row.text(0, reusing: group)
        if let current = group, current != g {
          fold(&out, current, pending)
          pending.removeAll(keepingCapacity: true)
        }
        group = g
        let t = row.text(1, reusing: topic)
        topic = t
        pending.append(
          StoredCheckpoint(
            checkpoint: Checkpoint(
              group: g, topic: t, partition: Int32(truncatingIfNeeded: row.int64(2)), upstreamOffset: row.int64(3),
              downstreamOffset: row.int64(4), metadata: row.text(5)), recordTimestamp: row.int64(6)))
      }
      if let group { fold(&out, group, pending) }
      return out
    }
  }

  /// The newest heartbeat timestamp seen for `flow`, ms since the epoch.
  public func latestHeartbeat(flow: String) async throws -> Int64? {
    try await read { db in
      try Int64.fetchOne(db, sql: "SELECT MAX(timestamp) FROM mm2_heartbeat WHERE flow = ?", arguments: [flow])
    }
  }

  /// The newest checkpoint record time for `flow`, ms since the epoch.
  public func latestCheckpointTime(flow: String) async throws -> Int64? {
    try await read { db in
      try Int64.fetchOne(db, sql: "SELECT MAX(record_timestamp) FROM mm2_checkpoint WHERE flow = ?", arguments: [flow])
    }
  }

  public func poisonCount(flow: String) async throws -> Int {
    try await read { db in
      try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM mm2_poison WHERE flow = ?", arguments: [flow]) ?? 0
    }
  }
}
