import Hummingbird
import Orchestrator
import Topology

/// `GET /v1/services/{name}/divergence`.
struct DivergenceRoutes: Sendable {
  let topology: Topology
  let finder: DivergenceFinder
  let health: HealthBoard

  var routes: [APIRoute] {
    [APIRoute(.get, "/v1/services/{name}/divergence", role: .viewer, divergence)]
  }

  /// What the cluster the service left in its last unplanned failover holds that never
  /// reached the cluster it is on, measured now (the old primary is asked when the health
  /// board does not call it unreachable).
  @Sendable func divergence(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.pathName
    guard let service = topology.service(name) else { throw APIError.notFound("unknown service \"\(name)\"") }
    var ask = true
    if let left = try await finder.failover(of: service.name) {
      ask = await health.health(of: left.sourceCluster)?.state != .unreachable
    }
    let found = try await finder.measure(service: service.name, askOldPrimary: ask)
    return JSONBody.response(DivergenceView(service: service.name, divergence: found))
  }
}
