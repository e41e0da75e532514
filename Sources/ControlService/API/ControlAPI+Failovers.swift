import Hummingbird
import Orchestrator
import Topology

extension ControlAPI {
  /// `POST /v1/failovers/{id}/ack`: runs a pending failover (manual approval).
  @Sendable func acknowledge(_ request: Request, _ context: APIContext) async throws -> Response {
    let record = try await journaled(context)
    guard record.status == .pending else {
      throw APIError(
        status: .conflict, code: "conflict", message: "failover \(record.id) is \(record.status), not pending")
    }
    let audit = AuditEntry(
      actor: context.actor, action: .ack, subject: record.service, details: "failover \(record.id)", outcome: .ok)
    guard try await store.approveFailover(id: record.id, audit: audit),
      let approved = try await store.failover(id: record.id)
    else { throw APIError(status: .conflict, code: "conflict", message: "failover \(record.id) changed meanwhile") }
    await runner.start(approved)
    return JSONBody.response(approved, status: .accepted)
  }

  /// `POST /v1/failovers/{id}/abort`: ends a pending or failed failover. If it fenced the
  /// source and never switched, the source is made writable again (epoch + 1).
  @Sendable func abort(_ request: Request, _ context: APIContext) async throws -> Response {
    let record = try await journaled(context)
    guard record.status == .pending || record.status == .failed else {
      throw APIError(
        status: .conflict, code: "conflict",
        message: "failover \(record.id) is \(record.status); only a pending or failed failover can be aborted")
    }
    let fenced = record.steps.contains { $0.name == .fenceSource && $0.status == .done }
    let switched = record.steps.contains { $0.name == .switchDiscovery && $0.status == .done }
    let restore: (String, Int64, ServiceChange)? =
      fenced && !switched
      ? (record.service, record.fromEpoch + 1, ServiceChange(activeCluster: record.sourceCluster)) : nil
    let state = try await store.finishFailover(
      id: record.id, status: .aborted, error: "aborted by \(context.actor)",
      audit: AuditEntry(
        actor: context.actor, action: .abort, subject: record.service, details: "failover \(record.id)",
        outcome: AuditOutcome(.ok, restore == nil ? nil : "\(record.sourceCluster) writable again")),
      restore: restore.map { (service: $0.0, expectedEpoch: $0.1, change: $0.2) })
    if let state { publish(state) }
    metrics.failover(kind: record.kind, outcome: FailoverStatus.aborted.rawValue)
    let aborted = try await store.failover(id: record.id) ?? record
    runner.notify(.aborted, aborted)
    return JSONBody.response(aborted)
  }

  /// `POST /v1/failovers/{id}/resume`: runs a failed failover again from its failed step.
  @Sendable func resume(_ request: Request, _ context: APIContext) async throws -> Response {
    let record = try await journaled(context)
    if record.status == .running {
      await runner.start(record)
      return JSONBody.response(record, status: .accepted)
    }
    guard record.status == .failed else {
      throw APIError(
        status: .conflict, code: "conflict", message: "failover \(record.id) is \(record.status), not failed")
    }
    let audit = AuditEntry(
      actor: context.actor, action: .resume, subject: record.service, details: "failover \(record.id)", outcome: .ok)
    do {
      guard try await store.reopenFailover(id: record.id, audit: audit),
        let reopened = try await store.failover(id: record.id)
      else { throw APIError(status: .conflict, code: "conflict", message: "failover \(record.id) changed meanwhile") }
      await runner.start(reopened)
      return JSONBody.response(reopened, status: .accepted)
    } catch let error as StoreError where error.kind == .conflict {
      throw APIError(status: .conflict, code: "conflict", message: error.message)
    }
  }

  private func journaled(_ context: APIContext) async throws -> FailoverRecord {
    let id = try pathID(context)
    guard let record = try await store.failover(id: id) else { throw APIError.notFound("no failover \(id)") }
    return record
  }
}
