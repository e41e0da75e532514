import Hummingbird
import Orchestrator
import Topology

/// `/v1/services/{name}/drill` and `/v1/drills`: game days on demand, and their reports.
struct DrillRoutes: Sendable {
  let drills: DrillRunner
  let local: StateStore
  let intake: RequestIntake

  var routes: [APIRoute] {
    [
      APIRoute(.post, "/v1/services/{name}/drill", role: .operator, drill),
      APIRoute(.get, "/v1/drills", role: .viewer, list),
      APIRoute(.get, "/v1/drills/{id}", role: .viewer, record),
    ]
  }

  /// `POST /v1/services/{name}/drill` with `{"to": CLUSTER?, "backAfter": "5m"?, "dryRun": bool,
  /// "reason": text}`: 202 with the journaled drill, which then runs in the background; 200
  /// with the plan and the closed gates for a dry run; 409 naming every closed gate (the
  /// refused drill is journaled too).
  @Sendable func drill(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.pathName
    var fields = try await intake.read(request, .drill, name, context)
    let to = fields.string("to", maxLength: 256)
    let backAfter = fields.duration("backAfter")
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    try await intake.finish(&fields, .drill, name, context)
    // Every refusal of the drill itself is audited by the runner.
    let started = try await drills.start(
      service: name, to: to, backAfter: backAfter, dryRun: dryRun, reason: reason, trigger: .operator_,
      actor: context.actor)
    return JSONBody.response(started, status: dryRun ? .ok : .accepted)
  }

  /// `GET /v1/drills[?service=NAME&limit=N]`, newest first.
  @Sendable func list(_ request: Request, _ context: APIContext) async throws -> Response {
    let limit = try request.query("limit", default: 50, range: 1...1000)
    return JSONBody.response(["drills": try await local.drills(service: request.query("service"), limit: limit)])
  }

  /// `GET /v1/drills/{id}`.
  @Sendable func record(_ request: Request, _ context: APIContext) async throws -> Response {
    let id = try context.pathID()
    guard let record = try await local.drill(id: id) else { throw APIError.notFound("no drill \(id)") }
    return JSONBody.response(record)
  }
}
