import Foundation
import Orchestrator
import Topology

/// The coordination store in memory, with the same contract as the SQLite one: epoch
/// compare-and-set, one open failover per service, the journal and audit written with
/// the changes they belong to. Its leadership can be taken away, as a deposed leader's
/// would be.
public actor InMemoryCoordinationStore: CoordinationStore {
  private var states: [String: ServiceState] = [:]
  private var journal: [Int64: FailoverRecord] = [:]
  private var audit: [AuditEntry] = []
  private var nextFailover: Int64 = 1
  private var lead: Leadership = .leader(token: 1)
  /// Every write, in order (`beginStep intent`, `changeService orders`, ...): what a test
  /// checks to prove an instance wrote nothing.
  public private(set) var writes: [String] = []

  public init() {}

  public nonisolated var backend: String { "memory" }

  public func ping() async -> Bool { true }
  /// How many times leadership was asked for, and from which ask on it is lost.
  public private(set) var leadershipAsks = 0
  private var lostFromAsk: Int?

  public func leadership() async throws -> Leadership {
    leadershipAsks += 1
    if let lostFromAsk, leadershipAsks >= lostFromAsk { lead = .follower(leader: "another") }
    return lead
  }
  public func setLeadership(_ l: Leadership) { lead = l }
  /// Leadership is lost at the `n`th ask from now: to depose a leader in the middle of a
  /// step, between the executor's check at the step's start and one before a side effect.
  public func loseLeadership(atAsk n: Int) { lostFromAsk = leadershipAsks + n }
  public var auditEntries: [AuditEntry] { audit }

  private func conflict(_ message: String) -> StoreError { StoreError(.conflict, path: "memory", message) }

  public func ensureServices(_ topology: Topology) async throws -> [ServiceState] {
    for s in topology.lanes where states[s.name] == nil {
      states[s.name] = ServiceState(
        service: s.name, activeCluster: s.primary, epoch: 1, state: .stable, writable: true, updatedAt: Date())
    }
    return try await serviceStates()
  }

  public func serviceStates() async throws -> [ServiceState] { states.values.sorted { $0.service < $1.service } }
  public func serviceState(_ service: String) async throws -> ServiceState? { states[service] }

  /// Sets a service's state directly, as another orchestrator's change would.
  public func force(_ state: ServiceState) { states[state.service] = state }

  private func apply(_ service: String, expected: Int64, _ change: ServiceChange) throws -> ServiceState {
    guard let current = states[service] else { throw StoreError(.notFound, path: "memory", "no state for \(service)") }
    guard current.epoch == expected else {
      throw conflict("service \(service) is at epoch \(current.epoch), not \(expected)")
    }
    let next = ServiceState(
      service: service, activeCluster: change.activeCluster, epoch: current.epoch + 1, state: change.state,
      writable: change.writable, updatedAt: Date())
    states[service] = next
    return next
  }

  private func insert(_ f: NewFailover, fromEpoch: Int64) -> FailoverRecord {
    let id = nextFailover
    nextFailover += 1
    let record = FailoverRecord(f, id: id, fromEpoch: fromEpoch)
    journal[id] = record
    return record
  }

  private func appendAuditEntry(_ e: AuditEntry) -> Int64 {
    let id = Int64(audit.count + 1)
    audit.append(
      AuditEntry(
        id: id, at: e.at, actor: e.actor, action: e.action, subject: e.subject, details: e.details,
        outcome: e.outcome))
    return id
  }

  public func changeService(
    _ service: String, expectedEpoch: Int64, to change: ServiceChange, record: NewFailover?, audit: AuditEntry
  ) async throws -> (ServiceState, FailoverRecord?) {
    writes.append("changeService \(service)")
    let state = try apply(service, expected: expectedEpoch, change)
    let f = record.map { insert($0, fromEpoch: expectedEpoch) }
    _ = appendAuditEntry(audit)
    return (state, f)
  }

  public func openFailover(_ f: NewFailover, expectedEpoch: Int64, audit: AuditEntry) async throws -> FailoverRecord {
    writes.append("openFailover \(f.service)")
    guard let current = states[f.service] else {
      throw StoreError(.notFound, path: "memory", "no state for \(f.service)")
    }
    guard current.epoch == expectedEpoch else {
      throw conflict("service \(f.service) is at epoch \(current.epoch), not \(expectedEpoch)")
    }
    if let open = journal.values.first(where: { $0.service == f.service && $0.status.isOpen }) {
      throw conflict("failover \(open.id) of \(f.service) is still open")
    }
    let record = insert(f, fromEpoch: current.epoch)
    _ = appendAuditEntry(audit)
    return record
  }

  public func openFailovers() async throws -> [FailoverRecord] {
    journal.values.filter(\.status.isOpen).sorted { $0.id < $1.id }
  }

  public func failovers(service: String?, limit: Int) async throws -> [FailoverRecord] {
    Array(journal.values.filter { service == nil || $0.service == service }.sorted { $0.id > $1.id }.prefix(limit))
  }

  public func failover(id: Int64) async throws -> FailoverRecord? { journal[id] }

  public func automaticFailovers(service: String, since: Date) async throws -> [FailoverRecord] {
    journal.values.filter {
      $0.service == service && $0.requestedBy.hasPrefix("policy:") && $0.createdAt >= since && $0.status != .aborted
    }.sorted { $0.id < $1.id }
  }

  private func updateStep(_ id: Int64, _ step: FailoverStepName, _ body: (FailoverStep) -> FailoverStep) {
    guard var r = journal[id], let i = r.steps.firstIndex(where: { $0.seq == step.seq }) else { return }
    r.steps[i] = body(r.steps[i])
    journal[id] = r
  }

  public func beginStep(failover id: Int64, step: FailoverStepName) async throws {
    writes.append("beginStep \(step)")
    updateStep(id, step) { s in
      FailoverStep(step, status: .running, attempt: s.attempt + 1, startedAt: Date(), details: s.details)
    }
  }

  public func finishStep(failover id: Int64, step: FailoverStepName, status: StepStatus, details: String) async throws {
    writes.append("finishStep \(step) \(status)")
    updateStep(id, step) { s in
      FailoverStep(
        step, status: status, attempt: s.attempt, startedAt: s.startedAt, finishedAt: Date(), details: details)
    }
  }

  public func finishStep(
    failover id: Int64, step: FailoverStepName, details: String, service: String, expectedEpoch: Int64,
    change: ServiceChange
  ) async throws -> ServiceState {
    writes.append("finishStep \(step) done with a change of \(service)")
    let state = try apply(service, expected: expectedEpoch, change)
    if let r = journal[id] { journal[id] = r.with(toEpoch: expectedEpoch + 1) }
    updateStep(id, step) { s in
      FailoverStep(
        step, status: .done, attempt: s.attempt, startedAt: s.startedAt, finishedAt: Date(), details: details)
    }
    return state
  }

  public func finishFailover(
    id: Int64, status: FailoverStatus, error: String?, audit: AuditEntry,
    restore: (service: String, expectedEpoch: Int64, change: ServiceChange)?
  ) async throws -> ServiceState? {
    writes.append("finishFailover \(id) \(status)")
    guard var r = journal[id] else { return nil }
    if status == .aborted {
      r.steps = r.steps.map { s in
        s.status == .pending || s.status == .running
          ? FailoverStep(s.name, status: .skipped, attempt: s.attempt, startedAt: s.startedAt, details: s.details)
          : s
      }
    }
    journal[id] = r.with(status: status, error: error, finishedAt: Date())
    _ = appendAuditEntry(audit)
    guard let restore, states[restore.service]?.epoch == restore.expectedEpoch else { return nil }
    return try apply(restore.service, expected: restore.expectedEpoch, restore.change)
  }

  public func approveFailover(id: Int64, audit: AuditEntry) async throws -> Bool {
    guard let r = journal[id], r.status == .pending else { return false }
    journal[id] = r.with(status: .running)
    _ = appendAuditEntry(audit)
    return true
  }

  public func reopenFailover(id: Int64, audit: AuditEntry) async throws -> Bool {
    guard var r = journal[id] else { return false }
    if let open = journal.values.first(where: { $0.service == r.service && $0.status.isOpen }) {
      throw conflict("failover \(open.id) of \(r.service) is open")
    }
    guard r.status == .failed else { return false }
    r.steps = r.steps.map { s in
      s.status == .failed || s.status == .running
        ? FailoverStep(s.name, status: .pending, attempt: s.attempt, startedAt: s.startedAt, details: s.details) : s
    }
    journal[id] = r.with(status: .running, error: nil, finishedAt: nil)
    _ = appendAuditEntry(audit)
    return true
  }

  public func appendAudit(_ entry: AuditEntry) async throws -> Int64 { appendAuditEntry(entry) }

  public func auditLog(limit: Int, before: Int64?) async throws -> [AuditEntry] {
    Array(audit.reversed().filter { ($0.id ?? 0) < (before ?? Int64.max) }.prefix(limit))
  }
}
