import Foundation
import GRDB

extension StateStore {
  /// Journals a recovery and its partitions before anything is copied; refused while
  /// another recovery of the service runs.
  public func openRecovery(
    service: String, failoverId: Int64, sourceCluster: String, targetCluster: String, into: RecoveryTarget,
    requestedBy: String, reason: String, partitions: [RecoveryPartition], now: Date = Date()
  ) async throws -> RecoveryRecord {
    let path = self.path
    let id = try await write { db -> Int64 in
      if try Bool.fetchOne(
        db, sql: "SELECT EXISTS (SELECT 1 FROM recovery WHERE service = ? AND status = 'running')",
        arguments: [service]) == true
      {
        throw StoreError(.conflict, path: path, "a recovery of \(service) is already running")
      }
      try db.execute(
        sql: """
          INSERT INTO recovery (service, failover_id, source_cluster, target_cluster, destination, status, requested_by,
            reason, created_at) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?)
          """,
        arguments: [service, failoverId, sourceCluster, targetCluster, into.rawValue, requestedBy, reason, now])
      let id = db.lastInsertedRowID
      for p in partitions {
        try db.execute(
          sql: """
            INSERT INTO recovery_partition (recovery_id, topic, partition, dest_topic, dest_partition, tail_start,
              tail_end, next_offset, copied, copy_end, dest_mark) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
            """,
          arguments: [
            id, p.topic, Int64(p.partition), p.destTopic, Int64(p.destPartition), p.tailStart, p.tailEnd, p.next,
            p.copyEnd, p.destMark,
          ])
      }
      return id
    }
    guard let record = try await recovery(id: id) else {
      throw StoreError(.notFound, path: path, "recovery \(id) vanished")
    }
    return record
  }

  /// Before a batch: where the destination ended.
  public func markRecoveryBatch(_ id: Int64, topic: String, partition: Int32, destMark: Int64) async throws {
    try await write { db in
      try db.execute(
        sql: "UPDATE recovery_partition SET dest_mark = ? WHERE recovery_id = ? AND topic = ? AND partition = ?",
        arguments: [destMark, id, topic, Int64(partition)])
    }
  }

  /// After a batch was acknowledged (or a resume found what it wrote): how far the copy
  /// got, in one write with the destination offsets it used.
  public func advanceRecovery(
    _ id: Int64, topic: String, partition: Int32, next: Int64, copied: Int64, destFirst: Int64?, destLast: Int64?
  ) async throws {
    try await write { db in
      try db.execute(
        sql: """
          UPDATE recovery_partition SET next_offset = ?, copied = copied + ?,
            dest_first = COALESCE(dest_first, ?), dest_last = COALESCE(?, dest_last)
          WHERE recovery_id = ? AND topic = ? AND partition = ?
          """, arguments: [next, copied, destFirst, destLast, id, topic, Int64(partition)])
    }
  }

  public func finishRecovery(_ id: Int64, status: RecoveryStatus, error: String?, now: Date = Date()) async throws {
    try await write { db in
      try db.execute(
        sql: "UPDATE recovery SET status = ?, error = ?, finished_at = ? WHERE id = ?",
        arguments: [status.rawValue, error, now, id])
    }
  }

  /// What became of the flow from the old primary once the tail was copied.
  public func noteRecoveryReplication(_ id: Int64, _ note: String) async throws {
    try await write { db in
      try db.execute(sql: "UPDATE recovery SET replication = ? WHERE id = ?", arguments: [note, id])
    }
  }

  /// Makes a failed recovery run again from where it stopped.
  public func reopenRecovery(_ id: Int64) async throws {
    try await write { db in
      try db.execute(
        sql:
          "UPDATE recovery SET status = 'running', error = NULL, finished_at = NULL WHERE id = ? AND status = 'failed'",
        arguments: [id])
    }
  }

  public func recovery(id: Int64) async throws -> RecoveryRecord? {
    try await read { db in try Self.fetchRecoveries(db, where: "id = ?", [id]).first }
  }

  /// Newest first; only the service's with `service`.
  public func recoveries(service: String? = nil, limit: Int = 50) async throws -> [RecoveryRecord] {
    try await read { db in
      service == nil
        ? try Self.fetchRecoveries(db, where: "1", [], limit: limit)
        : try Self.fetchRecoveries(db, where: "service = ?", [service!], limit: limit)
    }
  }

  private static func fetchRecoveries(
    _ db: Database, where clause: String, _ arguments: [any DatabaseValueConvertible], limit: Int = 50
  ) throws -> [RecoveryRecord] {
    let rows = try Row.fetchAll(
      db, sql: "SELECT * FROM recovery WHERE \(clause) ORDER BY id DESC LIMIT \(limit)",
      arguments: StatementArguments(arguments))
    return try rows.map { r in
      let id: Int64 = r["id"]
      let parts = try Row.fetchAll(
        db, sql: "SELECT * FROM recovery_partition WHERE recovery_id = ? ORDER BY topic, partition", arguments: [id]
      ).map { p in
        RecoveryPartition(
          topic: p["topic"], partition: Int32(p["partition"] as Int64), destTopic: p["dest_topic"],
          destPartition: Int32(p["dest_partition"] as Int64), tailStart: p["tail_start"], tailEnd: p["tail_end"],
          next: p["next_offset"], copied: p["copied"], destMark: p["dest_mark"], destFirst: p["dest_first"],
          destLast: p["dest_last"], copyEnd: p["copy_end"])
      }
      var record = RecoveryRecord(
        id: id, service: r["service"], failoverId: r["failover_id"], sourceCluster: r["source_cluster"],
        targetCluster: r["target_cluster"], into: RecoveryTarget(rawValue: r["destination"]) ?? .active,
        status: RecoveryStatus(rawValue: r["status"]) ?? .failed, requestedBy: r["requested_by"], reason: r["reason"],
        error: r["error"], createdAt: r["created_at"], finishedAt: r["finished_at"], partitions: parts)
      record.replication = r["replication"]
      return record
    }
  }
}
