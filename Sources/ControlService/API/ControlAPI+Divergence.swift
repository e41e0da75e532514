import Hummingbird
import Orchestrator

extension ControlAPI {
  /// `GET /v1/services/{name}/divergence`: what the cluster the service left in its last
  /// unplanned failover holds that never reached the cluster it is on, measured now (the
  /// old primary is asked when the health board does not call it unreachable).
  @Sendable func divergence(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.parameters.get("name") ?? ""
    guard let service = topology.service(name) else { throw APIError.notFound("unknown service \"\(name)\"") }
    let finder = DivergenceFinder(topology: topology, store: store, mm2: runtime.local, kafka: runtime.kafka)
    var ask = true
    if let left = try await finder.failover(of: service.name) {
      ask = await health.health(of: left.sourceCluster)?.state != .unreachable
    }
    let found = try await finder.measure(service: service.name, askOldPrimary: ask)
    return JSONBody.response(DivergenceView(service: service.name, divergence: found))
  }
}
