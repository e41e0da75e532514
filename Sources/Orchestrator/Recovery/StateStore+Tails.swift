import Foundation
import GRDB

extension StateStore {
  /// Journals what `failover` knew of the unreplicated tail; written again unchanged when a
  /// resumed step runs twice.
  public func recordTails(failover: Int64, _ tails: [JournaledTail]) async throws {
    try await write { db in
      let ins = try db.cachedStatement(
        sql: """
          INSERT OR REPLACE INTO failover_tail (failover_id, topic, partition, source_high, source_measured_at,
            synced_upstream, copy_end) VALUES (?, ?, ?, ?, ?, ?, ?)
          """)
      for t in tails {
        try ins.execute(
          arguments: [
            failover, t.topic, Int64(t.partition), t.sourceHighWatermark, t.sourceMeasuredAt, t.syncedUpstream,
            t.copyEnd,
          ])
      }
    }
  }

  /// What `failover` journaled of the tail, by partition.
  public func tails(failover: Int64) async throws -> [JournaledTail] {
    try await read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT topic, partition, source_high, source_measured_at, synced_upstream, copy_end
          FROM failover_tail WHERE failover_id = ? ORDER BY topic, partition
          """, arguments: [failover]
      ).map {
        JournaledTail(
          topic: $0[0], partition: Int32($0[1] as Int64), sourceHighWatermark: $0[2], sourceMeasuredAt: $0[3],
          syncedUpstream: $0[4], copyEnd: $0[5])
      }
    }
  }
}
