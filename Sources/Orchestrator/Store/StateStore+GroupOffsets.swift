import Foundation
import GRDB
import KafkaClient

extension StateStore {
  /// Records a group's committed offsets on a cluster, replacing what was recorded for
  /// those partitions (an offset only moves with the group, so the newest is the truth).
  public func recordGroupOffsets(cluster: String, group: String, _ offsets: [TopicPartition: Int64], at: Date = Date())
    async throws
  {
    guard !offsets.isEmpty else { return }
    try await write { db in
      for (tp, committed) in offsets {
        try db.execute(
          sql: """
            INSERT INTO group_offset (cluster, grp, topic, partition, committed, at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT(cluster, grp, topic, partition) DO UPDATE SET committed = excluded.committed, at = excluded.at
            """, arguments: [cluster, group, tp.topic, tp.partition, committed, at])
      }
    }
  }

  /// The offsets last recorded for a group on a cluster, with when.
  public func groupOffsets(cluster: String, group: String) async throws -> [TopicPartition: (Int64, Date)] {
    try await read { db in
      var out: [TopicPartition: (Int64, Date)] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT topic, partition, committed, at FROM group_offset WHERE cluster = ? AND grp = ?",
        arguments: [cluster, group])
      {
        out[TopicPartition(row["topic"], row["partition"])] = (row["committed"], row["at"])
      }
      return out
    }
  }
}
