import Hummingbird
import Orchestrator

extension ControlAPI {
  /// `POST /v1/services/{name}/promote` with `{"to": CLUSTER, "mode": "planned"|"forced",
  /// "dryRun": bool, "reason": text}`.
  @Sendable func promote(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.parameters.get("name") ?? ""
    var fields: RequestFields
    do {
      fields = try await RequestFields.read(request, limit: settings.maxBodyBytes)
    } catch let error as APIError {
      try await auditRefusal("promote", name, context, error)
      throw error
    }
    let target = fields.string("to", required: true, maxLength: 256)
    let mode = fields.oneOf("mode", SwitchMode.allCases.map(\.rawValue)).flatMap(SwitchMode.init) ?? .planned
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    do {
      try fields.finish()
    } catch let error as APIError {
      try await auditRefusal("promote", name, context, error)
      throw error
    }
    let targetHealth = await health.health(of: target ?? "")?.state
    let outcome = try await recordOutcome("promote") {
      try await ServiceSwitch(topology: topology, store: store).promote(
        service: name, PromoteRequest(target: target ?? "", mode: mode, dryRun: dryRun, reason: reason),
        actor: context.actor, targetHealth: targetHealth)
    }
    return JSONBody.response(outcome)
  }

  /// `POST /v1/services/{name}/demote` with an optional `{"dryRun": bool, "reason": text}`.
  @Sendable func demote(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.parameters.get("name") ?? ""
    var fields: RequestFields
    do {
      fields = try await RequestFields.read(request, limit: settings.maxBodyBytes)
    } catch let error as APIError {
      try await auditRefusal("demote", name, context, error)
      throw error
    }
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    do {
      try fields.finish()
    } catch let error as APIError {
      try await auditRefusal("demote", name, context, error)
      throw error
    }
    let outcome = try await recordOutcome("demote") {
      try await ServiceSwitch(topology: topology, store: store).demote(
        service: name, dryRun: dryRun, reason: reason, actor: context.actor)
    }
    return JSONBody.response(outcome)
  }

  /// Runs a switch, publishes the new discovery document and counts the outcome.
  private func recordOutcome(_ kind: String, _ body: () async throws -> SwitchOutcome) async throws -> SwitchOutcome {
    do {
      let outcome = try await body()
      if !outcome.dryRun, let service = topology.service(outcome.service) {
        board.publish(PublishedDiscovery(DiscoveryDocument(service: service, state: outcome.state, topology: topology)))
        metrics.failover(kind: kind, outcome: "succeeded")
      }
      return outcome
    } catch let error as ControlError {
      metrics.failover(kind: kind, outcome: "rejected")
      throw error
    } catch {
      metrics.failover(kind: kind, outcome: "failed")
      throw error
    }
  }

  /// A request refused before it reached the switch (bad body) is audited here.
  private func auditRefusal(_ action: String, _ service: String, _ context: APIContext, _ error: APIError) async throws
  {
    let fields = error.fields.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    try await store.appendAudit(
      AuditEntry(
        actor: context.actor, action: action, subject: service, details: "invalid request body",
        outcome: "rejected: \(error.message)\(fields.isEmpty ? "" : " (\(fields))")"))
    metrics.failover(kind: action, outcome: "rejected")
  }
}
