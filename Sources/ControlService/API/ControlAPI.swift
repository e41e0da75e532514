import Foundation
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import Orchestrator

/// The HTTP API of the control service: discovery, the admin API under `/v1`, metrics
/// and health. Holds what the handlers need; the handlers live in extensions by area.
public struct ControlAPI: Sendable {
  public let topology: Topology
  public let store: StateStore
  public let board: DiscoveryBoard
  public let health: HealthBoard
  public let metrics: ServiceMetrics
  public let runner: FailoverRunner
  /// The last known lag per flow, kept by the automatic-failover loop.
  public let lagBook = LagBook()
  let authenticator: TokenAuthenticator
  let shutdown: ShutdownFlag

  public init(
    topology: Topology, store: StateStore, board: DiscoveryBoard, health: HealthBoard, metrics: ServiceMetrics,
    runner: FailoverRunner, shutdown: ShutdownFlag = ShutdownFlag()
  ) {
    self.topology = topology
    self.store = store
    self.board = board
    self.health = health
    self.metrics = metrics
    self.runner = runner
    self.shutdown = shutdown
    authenticator = TokenAuthenticator(tokens: topology.api.tokens)
  }

  var settings: APISettings { topology.api }

  /// Every route, in the order `docs/openapi.yaml` lists them.
  public var routes: [APIRoute] {
    let discoveryRole: APIRole? = settings.discoveryRequiresToken ? .viewer : nil
    return [
      APIRoute(.get, "/v1/services/{name}/discovery", role: discoveryRole, discovery),
      APIRoute(.post, "/v1/services/{name}/promote", role: .operator, promote),
      APIRoute(.post, "/v1/services/{name}/demote", role: .operator, demote),
      APIRoute(.post, "/v1/services/{name}/failover", role: .operator, failoverNow),
      APIRoute(.post, "/v1/services/{name}/failback", role: .operator, failback),
      APIRoute(.get, "/v1/status", role: .viewer, status),
      APIRoute(.get, "/v1/topology", role: .viewer, topologyView),
      APIRoute(.get, "/v1/failovers", role: .viewer, failovers),
      APIRoute(.get, "/v1/failovers/{id}", role: .viewer, failover),
      APIRoute(.post, "/v1/failovers/{id}/ack", role: .operator, acknowledge),
      APIRoute(.post, "/v1/failovers/{id}/abort", role: .operator, abort),
      APIRoute(.post, "/v1/failovers/{id}/resume", role: .operator, resume),
      APIRoute(.get, "/v1/audit", role: .viewer, audit),
      APIRoute(.get, "/metrics", role: nil, metricsText),
      APIRoute(.get, "/healthz", role: nil, healthz),
      APIRoute(.get, "/readyz", role: nil, readyz),
    ]
  }

  public func router() -> Router<APIContext> {
    let router = Router(context: APIContext.self)
    for route in routes {
      router.on(RouterPath(route.path), method: route.method) { request, context in
        try await self.serve(route, request, context)
      }
    }
    return router
  }

  /// Authorises, runs the handler, and counts the answer by route and status code.
  private func serve(_ route: APIRoute, _ request: Request, _ context: APIContext) async throws -> Response {
    var context = context
    do {
      context.principal = try authorize(request, role: route.role)
      let response = try await route.handler(request, context)
      metrics.request(route: route.path, method: route.method.rawValue, code: response.status.code)
      return response
    } catch let error as APIError {
      metrics.request(route: route.path, method: route.method.rawValue, code: error.status.code)
      return try error.response(from: request, context: context)
    } catch let error as ControlError {
      let e = APIError(error)
      metrics.request(route: route.path, method: route.method.rawValue, code: e.status.code)
      return try e.response(from: request, context: context)
    } catch {
      context.logger.error("\(route.method) \(route.path): \(error)")
      let e = APIError(status: .internalServerError, code: "internal", message: "\(error)")
      metrics.request(route: route.path, method: route.method.rawValue, code: 500)
      return try e.response(from: request, context: context)
    }
  }

  /// The caller of a request, checked against the role the route needs.
  func authorize(_ request: Request, role: APIRole?) throws -> Principal? {
    let header = request.headers[.authorization]
    guard let header else {
      if let role {
        throw APIError.unauthorized("this route needs a bearer token with role \(role.rawValue) or higher")
      }
      return nil
    }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else {
      throw APIError.unauthorized("expected an Authorization header of the form \"Bearer TOKEN\"")
    }
    guard let principal = authenticator.authenticate(bearer: String(parts[1])) else {
      throw APIError.unauthorized("the token is not one of the configured tokens")
    }
    if let role, principal.role < role {
      throw APIError.forbidden(
        "token \(principal.name) has role \(principal.role.rawValue); this route needs \(role.rawValue) or higher")
    }
    return principal
  }
}

/// Set when the service begins its graceful shutdown: `/readyz` then answers 503.
public final class ShutdownFlag: Sendable {
  private let box = NIOLockedValueBox(false)
  public init() {}
  public var isSet: Bool { box.withLockedValue { $0 } }
  public func set() { box.withLockedValue { $0 = true } }
}
