import HealthProbes
import Hummingbird
import Orchestrator
import Topology

/// `POST /v1/services/{name}/promote|demote|failover|failback`: the switch's actions. A
/// failover is journaled by the switch, then run in the background by the runner.
struct ServiceActionRoutes: Sendable {
  let topology: Topology
  let health: HealthBoard
  let lagBook: LagBook
  let switcher: ServiceSwitch
  let runner: FailoverRunner
  let metrics: ServiceMetrics
  let intake: RequestIntake
  let publish: @Sendable (ServiceState) -> Void

  var routes: [APIRoute] {
    [
      APIRoute(.post, "/v1/services/{name}/promote", role: .operator, promote),
      APIRoute(.post, "/v1/services/{name}/demote", role: .operator, demote),
      APIRoute(.post, "/v1/services/{name}/failover", role: .operator, failoverNow),
      APIRoute(.post, "/v1/services/{name}/failback", role: .operator, failback),
    ]
  }

  /// `POST /v1/services/{name}/promote` with `{"to": CLUSTER, "mode": "planned"|"forced",
  /// "dryRun": bool, "reason": text}`: 202 with the journaled failover, which then runs
  /// in the background; 200 with the full plan for a dry run.
  @Sendable func promote(_ request: Request, _ context: APIContext) async throws -> Response {
    let service = context.pathName
    var fields = try await intake.read(request, .requested(.promote), service, context)
    let target = fields.string("to", required: true, maxLength: 256)
    let mode = fields.oneOf("mode", SwitchMode.allCases.map(\.rawValue)).flatMap(SwitchMode.init) ?? .planned
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    let region = fields.string("region", maxLength: 256)
    try await intake.finish(&fields, .requested(.promote), service, context)
    let name = try await lane(service, region, .requested(.promote), context)
    let targetHealth = await health.health(of: target ?? "")?.state
    return try await start(.promote, dryRun: dryRun) {
      try await switcher.promote(
        service: name, PromoteRequest(target: target ?? "", mode: mode, dryRun: dryRun, reason: reason),
        actor: context.actor, targetHealth: targetHealth)
    }
  }

  /// `POST /v1/services/{name}/failover` with `{"to": CLUSTER?, "dryRun": bool, "reason":
  /// text}`: an unplanned failover, now, to `to` or the best standby; no drain. The answer
  /// states the records the standby was behind (the expected loss) when it is known.
  @Sendable func failoverNow(_ request: Request, _ context: APIContext) async throws -> Response {
    let service = context.pathName
    var fields = try await intake.read(request, .requested(.failover), service, context)
    let to = fields.string("to", maxLength: 256)
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    let region = fields.string("region", maxLength: 256)
    try await intake.finish(&fields, .requested(.failover), service, context)
    let name = try await lane(service, region, .requested(.failover), context)
    var judged: [String: HealthState] = [:]
    for c in topology.clusters { judged[c.name] = await health.health(of: c.name)?.state }
    let lagBook = self.lagBook
    return try await start(.failover, dryRun: dryRun) {
      try await switcher.failover(
        service: name, to: to, health: judged, dryRun: dryRun, reason: reason, actor: context.actor,
        lastKnownLoss: { await lagBook.expectedLoss($0) })
    }
  }

  /// `POST /v1/services/{name}/failback` with `{"dryRun": bool, "reason": text}`: a
  /// planned switchover back to the primary once replication back has caught up.
  @Sendable func failback(_ request: Request, _ context: APIContext) async throws -> Response {
    let service = context.pathName
    var fields = try await intake.read(request, .requested(.failback), service, context)
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    let region = fields.string("region", maxLength: 256)
    try await intake.finish(&fields, .requested(.failback), service, context)
    let name = try await lane(service, region, .requested(.failback), context)
    let home = topology.service(name)?.primary ?? ""
    let homeHealth = await health.health(of: home)?.state
    return try await start(.failback, dryRun: dryRun) {
      try await switcher.failback(
        service: name, dryRun: dryRun, reason: reason, actor: context.actor, homeHealth: homeHealth)
    }
  }

  /// `POST /v1/services/{name}/demote` with an optional `{"dryRun": bool, "reason": text}`.
  @Sendable func demote(_ request: Request, _ context: APIContext) async throws -> Response {
    let service = context.pathName
    var fields = try await intake.read(request, .requested(.demote), service, context)
    let dryRun = fields.bool("dryRun") ?? false
    let reason = fields.string("reason", maxLength: 1000) ?? ""
    let region = fields.string("region", maxLength: 256)
    try await intake.finish(&fields, .requested(.demote), service, context)
    let name = try await lane(service, region, .requested(.demote), context)
    do {
      let outcome = try await switcher.demote(
        service: name, dryRun: dryRun, reason: reason, actor: context.actor)
      if !outcome.dryRun {
        publish(outcome.state)
        metrics.failover(kind: .demote, outcome: FailoverStatus.succeeded.rawValue)
      }
      return JSONBody.response(outcome)
    } catch let error as ControlError {
      metrics.failover(kind: .demote, outcome: "rejected")
      throw error
    }
  }

  /// Journals a failover through `body`, starts it and answers 202 (200 for a dry run).
  private func start(_ kind: FailoverKind, dryRun: Bool, _ body: () async throws -> SwitchOutcome) async throws
    -> Response
  {
    do {
      let outcome = try await body()
      if let failover = outcome.failover {
        await runner.start(failover)
        return JSONBody.response(outcome, status: .accepted)
      }
      return JSONBody.response(outcome)
    } catch let error as ControlError {
      metrics.failover(kind: kind, outcome: "rejected")
      throw error
    }
  }

  /// The lane an action moves; a refusal is audited like a bad body.
  private func lane(_ service: String, _ region: String?, _ action: AuditAction, _ context: APIContext) async throws
    -> String
  {
    do {
      return try Self.lane(of: service, region: region, in: topology)
    } catch {
      try await intake.refuse(action, service, context, error)
      throw error
    }
  }

  /// The service itself, or (active-active) the lane of the region the request names, in
  /// the body (`region`) or the path (`orders@east`).
  static func lane(of service: String, region: String?, in topology: Topology) throws(APIError) -> String {
    func refuse(_ message: String) -> APIError {
      APIError.invalid("invalid request", fields: [FieldError("region", message)])
    }
    // An unknown service is the switch's 404 to give.
    guard let configured = topology.service(service) else { return service }
    guard configured.mode == .activeActive, configured.region == nil else {
      guard let region else { return service }
      throw refuse("\(service) has no client regions to choose from; leave out \"\(region)\"")
    }
    let regions = configured.clientRegions.joined(separator: ", ")
    guard let region else {
      throw refuse("required: \(service) is active-active, and an action moves one region's clients; one of \(regions)")
    }
    guard configured.clientRegions.contains(region) else {
      let hint = suggestion(for: region, among: configured.clientRegions).map { "; did you mean \"\($0)\"?" } ?? ""
      throw refuse("unknown region \"\(region)\"\(hint); one of \(regions)")
    }
    return LaneID(service: service, region: region).description
  }
}
