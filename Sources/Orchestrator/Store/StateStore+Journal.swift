import Foundation
import GRDB
import Topology

/// The failover journal: a failover and its steps are written before anything acts, each
/// step's start and end are recorded, and a step whose effect is a change of the service
/// state commits that change and its completion in one transaction (exactly once).
extension StateStore {
  /// Journals a new failover (status `running`, or `pending` awaiting approval) with its
  /// steps pending; refused if the service already has one open or its epoch moved.
  public func openFailover(_ f: NewFailover, expectedEpoch: Int64, audit: AuditEntry) async throws -> FailoverRecord {
    let path = self.path
    return try await write { db in
      guard let current = try Self.fetchStates(db, only: f.service).first else {
        throw StoreError(.notFound, path: path, "no state for service \(f.service)")
      }
      guard current.epoch == expectedEpoch else {
        throw StoreError(
          .conflict, path: path, "service \(f.service) is at epoch \(current.epoch), not \(expectedEpoch)")
      }
      if let open = try Int64.fetchOne(
        db, sql: "SELECT id FROM failover WHERE service = ? AND status IN (?, ?)",
        arguments: [f.service, FailoverStatus.pending, FailoverStatus.running])
      {
        throw StoreError(.conflict, path: path, "failover \(open) of \(f.service) is still open")
      }
      let record = try Self.insertFailover(db, f, fromEpoch: current.epoch)
      try Self.insertAudit(db, audit)
      return record
    }
  }

  /// Failovers not finished: what a restarted service resumes.
  public func openFailovers() async throws -> [FailoverRecord] {
    try await read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM failover WHERE status IN (?, ?) ORDER BY id",
        arguments: [FailoverStatus.pending, FailoverStatus.running]
      ).map { try Self.failover(db, $0) }
    }
  }

  /// Marks a step running and counts the attempt.
  public func beginStep(failover id: Int64, step: FailoverStepName) async throws {
    try await write { db in
      try db.execute(
        sql: """
          UPDATE failover_step SET status = ?, attempt = attempt + 1, started_at = ?, finished_at = NULL
          WHERE failover_id = ? AND seq = ?
          """, arguments: [StepStatus.running, Date(), id, step.seq])
    }
  }

  /// Records a step's end: `done`, `skipped` or `failed`, with what it did.
  public func finishStep(failover id: Int64, step: FailoverStepName, status: StepStatus, details: String) async throws {
    try await write { db in try Self.finishStep(db, id, step.seq, status, details) }
  }

  /// Applies a service change and records the step done in one transaction; the change
  /// is fenced by `expectedEpoch`, so a newer epoch (another change) always wins.
  public func finishStep(
    failover id: Int64, step: FailoverStepName, details: String, service: String, expectedEpoch: Int64,
    change: ServiceChange
  ) async throws -> ServiceState {
    let path = self.path
    return try await write { db in
      guard let current = try Self.fetchStates(db, only: service).first else {
        throw StoreError(.notFound, path: path, "no state for service \(service)")
      }
      guard current.epoch == expectedEpoch else {
        throw StoreError(.conflict, path: path, "service \(service) is at epoch \(current.epoch), not \(expectedEpoch)")
      }
      try db.execute(
        sql: """
          UPDATE service_state SET active_cluster = ?, epoch = epoch + 1, state = ?, writable = ?, updated_at = ?
          WHERE service = ?
          """, arguments: [change.activeCluster, change.state, change.writable, Date(), service])
      try db.execute(sql: "UPDATE failover SET to_epoch = ? WHERE id = ?", arguments: [expectedEpoch + 1, id])
      try Self.finishStep(db, id, step.seq, .done, details)
      return try Self.fetchStates(db, only: service)[0]
    }
  }

  /// Ends a failover (`succeeded`, `failed`, `aborted`), with the service's state when it
  /// must change too (an abort puts a fenced service back to writable), and the audit entry.
  public func finishFailover(
    id: Int64, status: FailoverStatus, error: String?, audit: AuditEntry,
    restore: (service: String, expectedEpoch: Int64, change: ServiceChange)? = nil
  ) async throws -> ServiceState? {
    try await write { db in
      try db.execute(
        sql: "UPDATE failover SET status = ?, error = ?, finished_at = ? WHERE id = ?",
        arguments: [status, error, Date(), id])
      if status == .aborted {
        // Steps a failed failover did not reach stay pending: a resume runs them.
        try db.execute(
          sql: "UPDATE failover_step SET status = ? WHERE failover_id = ? AND status IN (?, ?)",
          arguments: [StepStatus.skipped, id, StepStatus.pending, StepStatus.running])
      }
      try Self.insertAudit(db, audit)
      guard let restore else { return nil }
      guard let current = try Self.fetchStates(db, only: restore.service).first, current.epoch == restore.expectedEpoch
      else { return nil }
      try db.execute(
        sql: """
          UPDATE service_state SET active_cluster = ?, epoch = epoch + 1, state = ?, writable = ?, updated_at = ?
          WHERE service = ?
          """,
        arguments: [
          restore.change.activeCluster, restore.change.state, restore.change.writable, Date(), restore.service,
        ])
      return try Self.fetchStates(db, only: restore.service).first
    }
  }

  /// Moves a pending failover to running (an operator acknowledged it).
  public func approveFailover(id: Int64, audit: AuditEntry) async throws -> Bool {
    try await write { db in
      try db.execute(
        sql: "UPDATE failover SET status = ? WHERE id = ? AND status = ?",
        arguments: [FailoverStatus.running, id, FailoverStatus.pending])
      let changed = db.changesCount > 0
      if changed { try Self.insertAudit(db, audit) }
      return changed
    }
  }

  /// Completed automatic failovers of a service since `since`: for cooldown and rate guards.
  public func automaticFailovers(service: String, since: Date) async throws -> [FailoverRecord] {
    try await read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT * FROM failover WHERE service = ? AND requested_by LIKE 'policy:%' AND created_at >= ?
          AND status != ? ORDER BY id
          """, arguments: [service, since, FailoverStatus.aborted]
      ).map { try Self.failover(db, $0) }
    }
  }

  static func finishStep(_ db: Database, _ id: Int64, _ seq: Int, _ status: StepStatus, _ details: String) throws {
    try db.execute(
      sql: "UPDATE failover_step SET status = ?, finished_at = ?, details = ? WHERE failover_id = ? AND seq = ?",
      arguments: [status, Date(), details, id, seq])
  }
}

extension StateStore {
  /// Sets a failed failover running again (an operator's resume); refused when another
  /// failover of the service is open.
  public func reopenFailover(id: Int64, audit: AuditEntry) async throws -> Bool {
    let path = self.path
    return try await write { db in
      guard let service = try String.fetchOne(db, sql: "SELECT service FROM failover WHERE id = ?", arguments: [id])
      else { return false }
      if let open = try Int64.fetchOne(
        db, sql: "SELECT id FROM failover WHERE service = ? AND status IN (?, ?)",
        arguments: [service, FailoverStatus.pending, FailoverStatus.running])
      {
        throw StoreError(.conflict, path: path, "failover \(open) of \(service) is open")
      }
      try db.execute(
        sql: "UPDATE failover SET status = ?, error = NULL, finished_at = NULL WHERE id = ? AND status = ?",
        arguments: [FailoverStatus.running, id, FailoverStatus.failed])
      guard db.changesCount > 0 else { return false }
      try db.execute(
        sql: "UPDATE failover_step SET status = ? WHERE failover_id = ? AND status IN (?, ?)",
        arguments: [StepStatus.pending, id, StepStatus.failed, StepStatus.running])
      try Self.insertAudit(db, audit)
      return true
    }
  }
}
