import Foundation
import Topology

/// Everything the orchestrators of one deployment must agree on: each service's state
/// (active cluster, epoch, writable) changed only by compare-and-set on the epoch, the
/// failover journal, the audit log and who leads. The decision code (switch, executor,
/// automatic failover, the API) reaches shared state through this protocol only.
///
/// `StateStore` (SQLite, one process: "standalone") is the first implementation; a
/// backend for several processes (etcd) implements the same contract. Every method that
/// changes a service's state is fenced by the epoch its caller read: when another change
/// won, it throws `StoreError` with kind `.conflict` and changes nothing.
/// What a journal write must do in one atomic step (state change + step done, failover +
/// audit entry) is spelled out per method: a backend must keep those together.
public protocol CoordinationStore: Sendable {
  /// A short name for logs and `/readyz`: `standalone (sqlite PATH)`, `etcd ...`.
  var backend: String { get }

  /// Whether the store answers now.
  func ping() async -> Bool

  /// Who may act now: the executor and the automatic failover check this before acting.
  func leadership() async throws -> Leadership

  // MARK: Service state

  /// Creates the state of every service not yet known (active on its primary, epoch 1);
  /// existing ones keep theirs. Returns every service's state.
  @discardableResult
  func ensureServices(_ topology: Topology) async throws -> [ServiceState]
  func serviceStates() async throws -> [ServiceState]
  func serviceState(_ service: String) async throws -> ServiceState?

  /// Atomically: applies `change` (epoch + 1) if the epoch is still `expectedEpoch`,
  /// journals `record` (already finished, e.g. a demote) and appends `audit`.
  func changeService(
    _ service: String, expectedEpoch: Int64, to change: ServiceChange, record: NewFailover?, audit: AuditEntry
  ) async throws -> (ServiceState, FailoverRecord?)

  // MARK: Failover journal

  /// Atomically: journals a new failover with its steps and appends `audit`; refused
  /// (`.conflict`) when the epoch moved or the service already has an open failover.
  func openFailover(_ f: NewFailover, expectedEpoch: Int64, audit: AuditEntry) async throws -> FailoverRecord
  /// Pending and running failovers, oldest first: what a new leader resumes.
  func openFailovers() async throws -> [FailoverRecord]
  /// Newest first; of one service when set.
  func failovers(service: String?, limit: Int) async throws -> [FailoverRecord]
  func failover(id: Int64) async throws -> FailoverRecord?
  /// Completed automatic failovers (requested by a policy, not aborted) since `since`.
  func automaticFailovers(service: String, since: Date) async throws -> [FailoverRecord]

  /// Marks a step running and counts the attempt.
  func beginStep(failover id: Int64, step: FailoverStepName) async throws
  /// Records a step's end with what it did.
  func finishStep(failover id: Int64, step: FailoverStepName, status: StepStatus, details: String) async throws
  /// Atomically: applies `change` fenced by `expectedEpoch` (epoch + 1), sets the
  /// failover's `toEpoch`, and records the step done. Exactly once: a retry after a
  /// crash finds the epoch moved and stops.
  func finishStep(
    failover id: Int64, step: FailoverStepName, details: String, service: String, expectedEpoch: Int64,
    change: ServiceChange
  ) async throws -> ServiceState
  /// Atomically: ends a failover, marks an aborted one's unreached steps skipped, appends
  /// `audit`, and applies `restore` when the epoch is still the one given.
  func finishFailover(
    id: Int64, status: FailoverStatus, error: String?, audit: AuditEntry,
    restore: (service: String, expectedEpoch: Int64, change: ServiceChange)?
  ) async throws -> ServiceState?
  /// Pending → running with `audit`; false when it was not pending.
  func approveFailover(id: Int64, audit: AuditEntry) async throws -> Bool
  /// Failed → running, its failed steps pending again, with `audit`; false when it was
  /// not failed; `.conflict` when another failover of the service is open.
  func reopenFailover(id: Int64, audit: AuditEntry) async throws -> Bool

  // MARK: Audit

  @discardableResult
  func appendAudit(_ entry: AuditEntry) async throws -> Int64
  /// Newest first; older than the entry id `before` when set.
  func auditLog(limit: Int, before: Int64?) async throws -> [AuditEntry]
}

extension CoordinationStore {
  public func failovers(service: String? = nil) async throws -> [FailoverRecord] {
    try await failovers(service: service, limit: 50)
  }

  public func finishFailover(id: Int64, status: FailoverStatus, error: String?, audit: AuditEntry) async throws {
    _ = try await finishFailover(id: id, status: status, error: error, audit: audit, restore: nil)
  }
}
