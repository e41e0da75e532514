import Foundation
import GRDB

extension StateStore {
  /// Journals a drill before anything moves: running, or refused with its closed gates.
  /// A second running drill is refused by the store itself (one at a time).
  public func openDrill(
    service: String, from: String, to: String, status: DrillStatus, trigger: DrillTrigger, requestedBy: String,
    reason: String, backAfter: Duration, refusal: [String] = [], report: DrillReport = DrillReport(),
    now: Date = Date()
  ) async throws -> DrillRecord {
    let path = self.path
    let encoder = JSONCoding.encoder()
    let refusalText = String(decoding: try encoder.encode(refusal), as: UTF8.self)
    let reportText = String(decoding: try encoder.encode(report), as: UTF8.self)
    let id = try await write { db -> Int64 in
      if status == .running,
        let running = try Row.fetchOne(db, sql: "SELECT id, service FROM drill WHERE status = 'running'")
      {
        throw StoreError(
          .conflict, path: path, "drill \(running["id"] as Int64) of \(running["service"] as String) is running")
      }
      try db.execute(
        sql: """
          INSERT INTO drill (service, from_cluster, to_cluster, status, trigger, requested_by, reason, back_after_ms,
            refusal, report, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          service, from, to, status.rawValue, trigger.rawValue, requestedBy, reason,
          Int64(backAfter / .milliseconds(1)), refusalText, reportText, now, status == .running ? nil : now,
        ])
      return db.lastInsertedRowID
    }
    guard let record = try await drill(id: id) else { throw StoreError(.notFound, path: path, "drill \(id) vanished") }
    return record
  }

  /// Writes what the drill measured so far; with a final status, ends it.
  public func updateDrill(_ id: Int64, report: DrillReport, status: DrillStatus = .running, now: Date = Date())
    async throws
  {
    let text = String(decoding: try JSONCoding.encoder().encode(report), as: UTF8.self)
    try await write { db in
      try db.execute(
        sql: "UPDATE drill SET report = ?, status = ?, finished_at = ? WHERE id = ?",
        arguments: [text, status.rawValue, status == .running ? nil : now, id])
    }
  }

  public func drill(id: Int64) async throws -> DrillRecord? {
    try await read { db in try Self.fetchDrills(db, where: "id = ?", [id], limit: 1).first }
  }

  /// Newest first; only the service's with `service`.
  public func drills(service: String? = nil, limit: Int = 50) async throws -> [DrillRecord] {
    try await read { db in
      if let service { return try Self.fetchDrills(db, where: "service = ?", [service], limit: limit) }
      return try Self.fetchDrills(db, where: "1", [], limit: limit)
    }
  }

  public func runningDrill() async throws -> DrillRecord? {
    try await read { db in try Self.fetchDrills(db, where: "status = 'running'", [], limit: 1).first }
  }

  private static func fetchDrills(
    _ db: Database, where clause: String, _ arguments: [any DatabaseValueConvertible], limit: Int
  ) throws -> [DrillRecord] {
    let decoder = JSONCoding.decoder()
    return try Row.fetchAll(
      db, sql: "SELECT * FROM drill WHERE \(clause) ORDER BY id DESC LIMIT \(limit)",
      arguments: StatementArguments(arguments)
    ).map { r in
      let status: String = r["status"]
      let trigger: String = r["trigger"]
      let refusal: String = r["refusal"]
      let report: String = r["report"]
      return DrillRecord(
        id: r["id"], service: r["service"], fromCluster: r["from_cluster"], toCluster: r["to_cluster"],
        status: DrillStatus(rawValue: status) ?? .aborted, trigger: DrillTrigger(rawValue: trigger) ?? .operator_,
        requestedBy: r["requested_by"], reason: r["reason"], backAfterMs: r["back_after_ms"],
        refusal: (try? decoder.decode([String].self, from: Data(refusal.utf8))) ?? [],
        report: (try? decoder.decode(DrillReport.self, from: Data(report.utf8))) ?? DrillReport(),
        createdAt: r["created_at"], finishedAt: r["finished_at"])
    }
  }
}
