import Etcd
import Foundation
import Topology

/// The coordinated store: every orchestrator of the deployment shares service states,
/// the failover journal and the audit log in etcd, under `prefix`.
///
/// Every write of a service's state or of the journal is one etcd transaction that
/// compares, besides the record's own `mod_revision` (the compare-and-set), the leader
/// key's `create_revision` (the fencing token) and lease: a deposed leader's write fails
/// even if etcd 3.4 renewed its lease through a member cut off from the majority, since
/// only a linearizable transaction proves leadership. The self-deadline is checked before
/// each write too. Audit entries and the first state of a new service are written by any
/// instance (they never overwrite).
///
/// Keys: `leader`, `services/NAME`, `failovers/ID` (zero-padded), `open/SERVICE` (the id
/// of its open failover: at most one), `next-failover-id`, `audit/UUID` (id: its create
/// revision).
public final class EtcdCoordinationStore: CoordinationStore {
  public let client: EtcdClient
  public let prefix: String
  public let leader: EtcdLeader

  public init(client: EtcdClient, prefix: String, leader: EtcdLeader) {
    self.client = client
    self.prefix = prefix
    self.leader = leader
  }

  public var backend: String { "etcd \(client.endpoints.joined(separator: ",")) \(prefix)" }

  /// Whether a linearizable read succeeds (a member without a quorum cannot answer one).
  public func ping() async -> Bool {
    do {
      _ = try await client.get(prefix + "leader")
      return true
    } catch {
      return false
    }
  }

  public func leadership() async throws -> Leadership { await leader.leadership }

  // MARK: Keys and values

  func serviceKey(_ s: String) -> String { prefix + "services/" + s }
  func failoverKey(_ id: Int64) -> String { prefix + "failovers/" + String(format: "%020lld", id) }
  func openKey(_ s: String) -> String { prefix + "open/" + s }
  var counterKey: String { prefix + "next-failover-id" }

  static func encode(_ value: some Encodable) throws -> String {
    String(decoding: try JSONCoding.encoder().encode(value), as: UTF8.self)
  }

  static func decode<T: Decodable>(_ type: T.Type, _ kv: EtcdKeyValue) throws -> T {
    try JSONCoding.decoder().decode(T.self, from: Data(kv.text.utf8))
  }

  func conflict(_ message: String) -> StoreError { StoreError(.conflict, path: backend, message) }

  /// Runs `compares` → `ops` as a transaction fenced by this instance's leadership.
  func guarded(_ compares: [EtcdCompare], _ ops: [EtcdOp], _ what: String) async throws {
    guard let fence = await leader.fence else {
      throw conflict("\(what): this instance is not the leader (or its lease ran out): nothing written")
    }
    let leaderKey = leader.key
    let answer = try await client.txn(
      EtcdTxnRequest(
        compare: [.createRevision(leaderKey, fence.token), .lease(leaderKey, fence.lease)] + compares, success: ops,
        failure: [.range(leaderKey)]))
    guard answer.ok else {
      let holder = answer.responses?.compactMap { $0.response_range?.values.first }.first
      if holder?.createRevision != fence.token {
        throw conflict("\(what): fencing token \(fence.token) is no longer the leader's: nothing written")
      }
      throw conflict("\(what): the record changed meanwhile")
    }
  }

  func read<T: Decodable>(_ key: String, as type: T.Type) async throws -> (T, EtcdKeyValue)? {
    guard let kv = try await client.get(key) else { return nil }
    return (try Self.decode(T.self, kv), kv)
  }

  func state(_ service: String) async throws -> (ServiceState, EtcdKeyValue) {
    guard let found = try await read(serviceKey(service), as: ServiceState.self) else {
      throw StoreError(.notFound, path: backend, "no state for service \(service)")
    }
    return found
  }

  /// The state after `change` as a later read of its key returns it (JSON keeps
  /// milliseconds), so that a writer and a reader see equal values.
  func next(_ state: ServiceState, _ change: ServiceChange) throws -> ServiceState {
    let s = ServiceState(
      service: state.service, activeCluster: change.activeCluster, epoch: state.epoch + 1, state: change.state,
      writable: change.writable, updatedAt: Date())
    return try JSONCoding.decoder().decode(ServiceState.self, from: JSONCoding.encoder().encode(s))
  }

  /// The next failover id and the comparison that makes taking it safe.
  func nextID() async throws -> (Int64, EtcdCompare) {
    if let kv = try await client.get(counterKey) {
      return ((Int64(kv.text) ?? 0) + 1, .modRevision(counterKey, kv.modRevision))
    }
    return (1, .createRevision(counterKey, 0))
  }

  func auditOp(_ entry: AuditEntry) throws -> EtcdOp {
    .put(prefix + "audit/" + UUID().uuidString, try Self.encode(entry))
  }

  // MARK: Service state

  public func ensureServices(_ topology: Topology) async throws -> [ServiceState] {
    for s in topology.lanes {
      let initial = ServiceState(
        service: s.name, activeCluster: s.primary, epoch: 1, state: .stable, writable: true, updatedAt: Date())
      _ = try await client.txn(
        EtcdTxnRequest(
          compare: [.createRevision(serviceKey(s.name), 0)],
          success: [.put(serviceKey(s.name), try Self.encode(initial))]
        ))
    }
    return try await serviceStates()
  }

  public func serviceStates() async throws -> [ServiceState] {
    try await client.prefix(prefix + "services/").map { try Self.decode(ServiceState.self, $0) }
  }

  public func serviceState(_ service: String) async throws -> ServiceState? {
    try await read(serviceKey(service), as: ServiceState.self)?.0
  }

  public func changeService(
    _ service: String, expectedEpoch: Int64, to change: ServiceChange, record: NewFailover?, audit: AuditEntry
  ) async throws -> (ServiceState, FailoverRecord?) {
    let (current, kv) = try await state(service)
    guard current.epoch == expectedEpoch else {
      throw conflict("service \(service) is at epoch \(current.epoch), not \(expectedEpoch)")
    }
    let state = try next(current, change)
    var compares = [EtcdCompare.modRevision(serviceKey(service), kv.modRevision)]
    var ops = [EtcdOp.put(serviceKey(service), try Self.encode(state)), try auditOp(audit)]
    var failover: FailoverRecord?
    if let record {
      let (id, counter) = try await nextID()
      let f = FailoverRecord(record, id: id, fromEpoch: current.epoch)
      compares.append(counter)
      ops += [.put(counterKey, String(id)), .put(failoverKey(id), try Self.encode(f))]
      failover = f
    }
    try await guarded(compares, ops, "change of \(service)")
    return (state, failover)
  }

  // MARK: Journal

  public func openFailover(_ f: NewFailover, expectedEpoch: Int64, audit: AuditEntry) async throws -> FailoverRecord {
    let (current, kv) = try await state(f.service)
    guard current.epoch == expectedEpoch else {
      throw conflict("service \(f.service) is at epoch \(current.epoch), not \(expectedEpoch)")
    }
    if let open = try await client.get(openKey(f.service)) {
      throw conflict("failover \(open.text) of \(f.service) is still open")
    }
    let (id, counter) = try await nextID()
    let record = FailoverRecord(f, id: id, fromEpoch: current.epoch)
    try await guarded(
      [.modRevision(serviceKey(f.service), kv.modRevision), .createRevision(openKey(f.service), 0), counter],
      [
        .put(counterKey, String(id)), .put(failoverKey(id), try Self.encode(record)),
        .put(openKey(f.service), String(id)), try auditOp(audit),
      ], "journal of a failover of \(f.service)")
    return record
  }

  public func openFailovers() async throws -> [FailoverRecord] {
    var out: [FailoverRecord] = []
    for kv in try await client.prefix(prefix + "open/") {
      if let id = Int64(kv.text), let f = try await failover(id: id) { out.append(f) }
    }
    return out.sorted { $0.id < $1.id }
  }

  public func failovers(service: String?, limit: Int) async throws -> [FailoverRecord] {
    let all = try await client.prefix(prefix + "failovers/", descending: true, sortTarget: "KEY")
      .map { try Self.decode(FailoverRecord.self, $0) }
    return Array(all.filter { service == nil || $0.service == service }.prefix(limit))
  }

  public func failover(id: Int64) async throws -> FailoverRecord? {
    try await read(failoverKey(id), as: FailoverRecord.self)?.0
  }

  public func automaticFailovers(service: String, since: Date) async throws -> [FailoverRecord] {
    try await failovers(service: service, limit: Int.max).filter {
      $0.requestedBy.hasPrefix("policy:") && $0.createdAt >= since && $0.status != .aborted
    }.sorted { $0.id < $1.id }
  }

  /// Reads a failover, lets `edit` change it, and writes it back fenced by its revision.
  func update(_ id: Int64, _ what: String, _ edit: (FailoverRecord) throws -> FailoverRecord) async throws {
    guard let (record, kv) = try await read(failoverKey(id), as: FailoverRecord.self) else {
      throw StoreError(.notFound, path: backend, "no failover \(id)")
    }
    try await guarded(
      [.modRevision(failoverKey(id), kv.modRevision)], [.put(failoverKey(id), try Self.encode(try edit(record)))], what)
  }

  public func beginStep(failover id: Int64, step: FailoverStepName) async throws {
    try await update(id, "begin \(step) of failover \(id)") { $0.editing(step) { $0.begun() } }
  }

  public func finishStep(failover id: Int64, step: FailoverStepName, status: StepStatus, details: String) async throws {
    try await update(id, "end of \(step) of failover \(id)") { $0.editing(step) { $0.finished(status, details) } }
  }

  public func finishStep(
    failover id: Int64, step: FailoverStepName, details: String, service: String, expectedEpoch: Int64,
    change: ServiceChange
  ) async throws -> ServiceState {
    let (current, skv) = try await state(service)
    guard let (record, fkv) = try await read(failoverKey(id), as: FailoverRecord.self) else {
      throw StoreError(.notFound, path: backend, "no failover \(id)")
    }
    // A retry of a write whose answer was lost (a timeout, a leader change in etcd): if it
    // was applied, the step is done and the state is the one it made. Not a conflict.
    if current.epoch == expectedEpoch + 1, current.activeCluster == change.activeCluster,
      current.writable == change.writable, record.steps.first(where: { $0.name == step })?.status == .done
    {
      return current
    }
    guard current.epoch == expectedEpoch else {
      throw conflict("service \(service) is at epoch \(current.epoch), not \(expectedEpoch)")
    }
    let state = try next(current, change)
    let done = record.with(toEpoch: expectedEpoch + 1).editing(step) { $0.finished(.done, details) }
    try await guarded(
      [.modRevision(serviceKey(service), skv.modRevision), .modRevision(failoverKey(id), fkv.modRevision)],
      [.put(serviceKey(service), try Self.encode(state)), .put(failoverKey(id), try Self.encode(done))],
      "\(step) of failover \(id)")
    return state
  }

  public func finishFailover(
    id: Int64, status: FailoverStatus, error: String?, audit: AuditEntry,
    restore: (service: String, expectedEpoch: Int64, change: ServiceChange)?
  ) async throws -> ServiceState? {
    guard let (record, fkv) = try await read(failoverKey(id), as: FailoverRecord.self) else {
      throw StoreError(.notFound, path: backend, "no failover \(id)")
    }
    var steps = record.steps
    if status == .aborted {
      steps = steps.map { $0.status == .pending || $0.status == .running ? $0.reset(to: .skipped) : $0 }
    }
    let ended = record.with(status: status, error: .some(error), finishedAt: .some(Date()), steps: steps)
    var compares = [EtcdCompare.modRevision(failoverKey(id), fkv.modRevision)]
    var ops = [
      EtcdOp.put(failoverKey(id), try Self.encode(ended)), .delete(openKey(record.service)), try auditOp(audit),
    ]
    var restored: ServiceState?
    if let restore, let (current, skv) = try? await state(restore.service), current.epoch == restore.expectedEpoch {
      let s = try next(current, restore.change)
      compares.append(.modRevision(serviceKey(restore.service), skv.modRevision))
      ops.append(.put(serviceKey(restore.service), try Self.encode(s)))
      restored = s
    }
    try await guarded(compares, ops, "end of failover \(id)")
    return restored
  }

  public func approveFailover(id: Int64, audit: AuditEntry) async throws -> Bool {
    guard let (record, kv) = try await read(failoverKey(id), as: FailoverRecord.self), record.status == .pending else {
      return false
    }
    try await guarded(
      [.modRevision(failoverKey(id), kv.modRevision)],
      [.put(failoverKey(id), try Self.encode(record.with(status: .running))), try auditOp(audit)], "ack of \(id)")
    return true
  }

  public func reopenFailover(id: Int64, audit: AuditEntry) async throws -> Bool {
    guard let (record, kv) = try await read(failoverKey(id), as: FailoverRecord.self) else { return false }
    if let open = try await client.get(openKey(record.service)) {
      throw conflict("failover \(open.text) of \(record.service) is open")
    }
    guard record.status == .failed else { return false }
    let steps = record.steps.map { $0.status == .failed || $0.status == .running ? $0.reset(to: .pending) : $0 }
    let reopened = record.with(status: .running, error: .some(nil), finishedAt: .some(nil), steps: steps)
    try await guarded(
      [.modRevision(failoverKey(id), kv.modRevision), .createRevision(openKey(record.service), 0)],
      [
        .put(failoverKey(id), try Self.encode(reopened)), .put(openKey(record.service), String(id)),
        try auditOp(audit),
      ], "resume of \(id)")
    return true
  }

  // MARK: Audit

  public func appendAudit(_ entry: AuditEntry) async throws -> Int64 {
    try await client.put(prefix + "audit/" + UUID().uuidString, try Self.encode(entry))
  }

  public func auditLog(limit: Int, before: Int64?) async throws -> [AuditEntry] {
    try await client.prefix(
      prefix + "audit/", limit: Int64(limit), descending: true, sortTarget: "CREATE",
      maxCreateRevision: before.map { $0 - 1 }
    ).map { kv in
      let e = try Self.decode(AuditEntry.self, kv)
      return AuditEntry(
        id: kv.createRevision, at: e.at, actor: e.actor, action: e.action, subject: e.subject, details: e.details,
        outcome: e.outcome)
    }
  }
}
