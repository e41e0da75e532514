import Hummingbird
import KafkaClient
import Orchestrator
import Topology

extension ControlAPI {
  /// `POST /v1/services/{name}/recover` with `{"into": "active"|"quarantine", "dryRun": bool,
  /// "reason": text}`: copies the tail the service's last unplanned failover left on the
  /// old primary to its active cluster (202 with the journaled recovery, which runs in the
  /// background; 200 with the plan for a dry run). A failed recovery of the same tail is
  /// resumed rather than started again.
  @Sendable func recover(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.parameters.get("name") ?? ""
    var fields = try await readFields(request, .recover, name, context)
    let into = fields.oneOf("into", RecoveryTarget.allCases.map(\.rawValue)).flatMap(RecoveryTarget.init)
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    try await finishFields(&fields, .recover, name, context)
    guard let service = topology.service(name) else { throw APIError.notFound("unknown service \"\(name)\"") }
    let settings = topology.service(name)?.policy.flatMap { runtime.policies[$0] }?.recovery ?? .init()
    let target = into ?? settings.into
    let details = "into=\(target.rawValue) dryRun=\(dryRun) reason=\(reason)"
    do {
      let (plan, recovery) = try await runtime.recoveries.begin(
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
  @Sendable func recoveries(_ request: Request, _ context: APIContext) async throws -> Response {
    let q = request.uri.queryParameters
    let limit = try intParameter(q.get("limit").map { String($0) }, "limit", default: 50, range: 1...1000)
    let service = q.get("service").map { String($0) }
    return JSONBody.response(["recoveries": try await runtime.local.recoveries(service: service, limit: limit)])
  }

  /// `GET /v1/recoveries/{id}`.
  @Sendable func recovery(_ request: Request, _ context: APIContext) async throws -> Response {
    let id = try pathID(context)
    guard let record = try await runtime.local.recovery(id: id) else { throw APIError.notFound("no recovery \(id)") }
    return JSONBody.response(record)
  }
}
