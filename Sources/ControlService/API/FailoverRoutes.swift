import Hummingbird
import Orchestrator
import Topology

/// `/v1/failovers`: the journal, read and acted on (approve, abort, resume).
struct FailoverRoutes: Sendable {
  let topology: Topology
  let store: any CoordinationStore
  let runner: FailoverRunner
  let metrics: ServiceMetrics
  let publish: @Sendable (ServiceState) -> Void

  var routes: [APIRoute] {
    [
      APIRoute(.get, "/v1/failovers", role: .viewer, failovers),
      APIRoute(.get, "/v1/failovers/{id}", role: .viewer, failover),
      APIRoute(.post, "/v1/failovers/{id}/ack", role: .operator, acknowledge),
      APIRoute(.post, "/v1/failovers/{id}/abort", role: .operator, abort),
      APIRoute(.post, "/v1/failovers/{id}/resume", role: .operator, resume),
    ]
  }

  /// `GET /v1/failovers[?service=NAME&limit=N]`, newest first.
  @Sendable func failovers(_ request: Request, _ context: APIContext) async throws -> Response {
    let limit = try request.query("limit", default: 50, range: 1...1000)
    guard let service = request.query("service") else {
      return JSONBody.response(["failovers": try await store.failovers(service: nil, limit: limit)])
    }
    guard let configured = topology.service(service) else {
      throw APIError.notFound("unknown service \"\(service)\"")
    }
    // An active-active service's failovers are its regions' (`orders@east`, ...).
    if configured.mode == .activeActive, configured.region == nil {
      let lanes = Set(configured.clientRegions.map { LaneID(service: service, region: $0).description })
      let all = try await store.failovers(service: nil, limit: 1000).filter { lanes.contains($0.service) }
      return JSONBody.response(["failovers": Array(all.prefix(limit))])
    }
    return JSONBody.response(["failovers": try await store.failovers(service: service, limit: limit)])
  }

  @Sendable func failover(_ request: Request, _ context: APIContext) async throws -> Response {
    JSONBody.response(try await journaled(context))
  }

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
    let id = try context.pathID()
    guard let record = try await store.failover(id: id) else { throw APIError.notFound("no failover \(id)") }
    return record
  }
}
