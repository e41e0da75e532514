import Hummingbird
import Orchestrator
import Topology

extension ControlAPI {
  /// `POST /v1/services/{name}/drill` with `{"to": CLUSTER?, "backAfter": "5m"?, "dryRun": bool,
  /// "reason": text}`: 202 with the journaled drill, which then runs in the background; 200
  /// with the plan and the closed gates for a dry run; 409 naming every closed gate (the
  /// refused drill is journaled too).
  @Sendable func drill(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.parameters.get("name") ?? ""
    var fields = try await readFields(request, .drill, name, context)
    let to = fields.string("to", maxLength: 256)
    let backAfter = fields.duration("backAfter")
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    try await finishFields(&fields, .drill, name, context)
    // Every refusal of the drill itself is audited by the runner.
    let started = try await runtime.drills.start(
      service: name, to: to, backAfter: backAfter, dryRun: dryRun, reason: reason, trigger: .operator_,
      actor: context.actor)
    return JSONBody.response(started, status: dryRun ? .ok : .accepted)
  }

  /// `GET /v1/drills[?service=NAME&limit=N]`, newest first.
  @Sendable func drills(_ request: Request, _ context: APIContext) async throws -> Response {
    let q = request.uri.queryParameters
    let limit = try intParameter(q.get("limit").map { String($0) }, "limit", default: 50, range: 1...1000)
    let service = q.get("service").map { String($0) }
    return JSONBody.response(["drills": try await runtime.local.drills(service: service, limit: limit)])
  }

  /// `GET /v1/drills/{id}`.
  @Sendable func drillRecord(_ request: Request, _ context: APIContext) async throws -> Response {
    let id = try pathID(context)
    guard let record = try await runtime.local.drill(id: id) else { throw APIError.notFound("no drill \(id)") }
    return JSONBody.response(record)
  }
}
