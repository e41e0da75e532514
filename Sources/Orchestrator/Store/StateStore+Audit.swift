import Foundation
import GRDB
import Topology

extension StateStore {
  @discardableResult
  public func appendAudit(_ entry: AuditEntry) async throws -> Int64 {
    try await write { db in
      try Self.insertAudit(db, entry)
      return db.lastInsertedRowID
    }
  }

  /// The newest entries first; only those older than `before` (an id) when set, for paging.
  public func auditLog(limit: Int = 100, before: Int64? = nil) async throws -> [AuditEntry] {
    try await read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?",
        arguments: [before ?? Int64.max, limit]
      ).map {
        AuditEntry(
          id: $0["id"], at: $0["at"], actor: $0["actor"], action: AuditAction(parsing: $0["action"]),
          subject: $0["subject"], details: $0["details"], outcome: AuditOutcome(parsing: $0["outcome"]))
      }
    }
  }

  static func insertAudit(_ db: Database, _ e: AuditEntry) throws {
    try db.execute(
      sql: "INSERT INTO audit_log (at, actor, action, subject, details, outcome) VALUES (?, ?, ?, ?, ?, ?)",
      arguments: [e.at, e.actor, e.action.description, e.subject, e.details, e.outcome.description])
  }
}
