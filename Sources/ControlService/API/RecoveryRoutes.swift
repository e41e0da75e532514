import Hummingbird
import KafkaClient
import Orchestrator
import Topology

/// `/v1/services/{name}/recover` and `/v1/recoveries`: copying the tail an unplanned
/// failover left on the old primary, and its journal.
struct RecoveryRoutes: Sendable {
  let topology: Topology
  let policies: [String: Policy]
  let store: any CoordinationStore
  let local: StateStore
  let recoveries: RecoveryRunner
  let intake: RequestIntake

  var routes: [APIRoute] {
    [
      APIRoute(.post, "/v1/services/{name}/recover", role: .operator, recover),
      APIRoute(.get, "/v1/recoveries", role: .viewer, list),
      APIRoute(.get, "/v1/recoveries/{id}", role: .viewer, recovery),
    ]
  }

  /// `POST /v1/services/{name}/recover` with `{"into": "active"|"quarantine", "dryRun": bool,
  /// "reason": text}`: 202 with the journaled recovery, which runs in the background; 200
  /// with the plan for a dry run. A failed recovery of the same tail is resumed rather than
  /// started again.
  @Sendable func recover(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.pathName
    var fields = try await intake.read(request, .recover, name, context)
    let into = fields.oneOf("into", RecoveryTarget.allCases.map(\.rawValue)).flatMap(RecoveryTarget.init)
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    try await intake.finish(&fields, .recover, name, context)
    guard let service = topology.service(name) else { throw APIError.notFound("unknown service \"\(name)\"") }
    let settings = service.policy.flatMap { policies[$0] }?.recovery ?? .init()
    let target = into ?? settings.into
    let details = "into=\(target.rawValue) dryRun=\(dryRun) reason=\(reason)"
    do {
      let (plan, recovery) = try await recoveries.begin(
        service, into: target, quarantine: settings.quarantineTopic, dryRun: dryRun, reason: reason,
        actor: context.actor)
      // A recovery that starts is audited by `begin`, before anything is copied.
      if let recovery { return JSONBody.response(recovery, status: .accepted) }
      try await store.appendAudit(
        AuditEntry(actor: context.actor, action: .recover, subject: name, details: details, outcome: .dryRun))
      return JSONBody.response(plan)
    } catch let e as ControlError {
      _ = try? await store.appendAudit(
        AuditEntry(actor: context.actor, action: .recover, subject: name, details: details, outcome: .rejected("\(e)")))
      throw e
    }
  }

  /// `GET /v1/recoveries[?service=NAME&limit=N]`, newest first.
  @Sendable func list(_ request: Request, _ context: APIContext) async throws -> Response {
    let limit = try request.query("limit", default: 50, range: 1...1000)
    return JSONBody.response(
      ["recoveries": try await local.recoveries(service: request.query("service"), limit: limit)])
  }

  /// `GET /v1/recoveries/{id}`.
  @Sendable func recovery(_ request: Request, _ context: APIContext) async throws -> Response {
    let id = try context.pathID()
    guard let record = try await local.recovery(id: id) else { throw APIError.notFound("no recovery \(id)") }
    return JSONBody.response(record)
  }
}
