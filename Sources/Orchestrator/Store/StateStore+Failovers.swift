import Foundation
import GRDB
import Topology

extension StateStore {
  /// The newest failovers first, with their steps; of one service when `service` is set.
  public func failovers(service: String? = nil, limit: Int = 50) async throws -> [FailoverRecord] {
    try await read { db in
      let rows =
        if let service {
          try Row.fetchAll(
            db, sql: "SELECT * FROM failover WHERE service = ? ORDER BY id DESC LIMIT ?", arguments: [service, limit])
        } else {
          try Row.fetchAll(db, sql: "SELECT * FROM failover ORDER BY id DESC LIMIT ?", arguments: [limit])
        }
      return try rows.map { try Self.failover(db, $0) }
    }
  }

  public func failover(id: Int64) async throws -> FailoverRecord? {
    try await read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM failover WHERE id = ?", arguments: [id]).map {
        try Self.failover(db, $0)
      }
    }
  }

  static func insertFailover(_ db: Database, _ f: NewFailover, fromEpoch: Int64) throws -> FailoverRecord {
    let now = Date()
    let finished = f.status.isFinished ? now : nil
    try db.execute(
      sql: """
        INSERT INTO failover (service, kind, mode, source_cluster, target_cluster, from_epoch, to_epoch, status,
          requested_by, reason, created_at, finished_at, expected_loss)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        f.service, f.kind, f.mode, f.sourceCluster, f.targetCluster, fromEpoch, fromEpoch + 1, f.status,
        f.requestedBy, f.reason, now, finished, f.expectedLossRecords,
      ])
    let id = db.lastInsertedRowID
    for s in f.steps {
      try db.execute(
        sql: """
          INSERT INTO failover_step (failover_id, seq, name, status, attempt, started_at, finished_at, details)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """, arguments: [id, s.seq, s.name, s.status, s.attempt, s.startedAt, s.finishedAt, s.details])
    }
    guard let row = try Row.fetchOne(db, sql: "SELECT * FROM failover WHERE id = ?", arguments: [id]) else {
      throw StoreError(.notFound, path: "", "failover \(id) vanished inside its own transaction")
    }
    return try failover(db, row)
  }

  static func failover(_ db: Database, _ row: Row) throws -> FailoverRecord {
    let id: Int64 = row["id"]
    let steps = try Row.fetchAll(
      db, sql: "SELECT * FROM failover_step WHERE failover_id = ? ORDER BY seq", arguments: [id]
    ).map {
      FailoverStep(
        $0["name"], status: $0["status"], attempt: $0["attempt"], startedAt: $0["started_at"],
        finishedAt: $0["finished_at"], details: $0["details"])
    }
    return FailoverRecord(
      id: id, service: row["service"], kind: row["kind"], mode: row["mode"], sourceCluster: row["source_cluster"],
      targetCluster: row["target_cluster"], fromEpoch: row["from_epoch"], toEpoch: row["to_epoch"],
      status: row["status"], requestedBy: row["requested_by"], reason: row["reason"], error: row["error"],
      createdAt: row["created_at"], finishedAt: row["finished_at"], expectedLossRecords: row["expected_loss"],
      steps: steps)
  }
}
