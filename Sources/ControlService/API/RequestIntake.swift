import Hummingbird
import Orchestrator

/// Reads a changing request's body and audits every refusal before the request reaches
/// what it asks for, so that a bad body is on record like a refused switch.
struct RequestIntake: Sendable {
  let store: any CoordinationStore
  let metrics: ServiceMetrics
  let maxBodyBytes: Int

  func read(_ request: Request, _ action: AuditAction, _ service: String, _ context: APIContext)
    async throws -> RequestFields
  {
    do {
      return try await RequestFields.read(request, limit: maxBodyBytes)
    } catch let error as APIError {
      try await refuse(action, service, context, error)
      throw error
    }
  }

  func finish(_ fields: inout RequestFields, _ action: AuditAction, _ service: String, _ context: APIContext)
    async throws
  {
    do {
      try fields.finish()
    } catch let error as APIError {
      try await refuse(action, service, context, error)
      throw error
    }
  }

  /// Audits a request refused before it reached the switch, and counts a refused failover.
  func refuse(_ action: AuditAction, _ service: String, _ context: APIContext, _ error: APIError) async throws {
    let fields = error.fields.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    try await store.appendAudit(
      AuditEntry(
        actor: context.actor, action: action, subject: service, details: "invalid request body",
        outcome: .rejected("\(error.message)\(fields.isEmpty ? "" : " (\(fields))")")))
    if case .requested(let kind) = action { metrics.failover(kind: kind, outcome: "rejected") }
  }
}
