import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOConcurrencyHelpers
import Orchestrator
import Topology

/// The HTTP API of the control service: discovery, the admin API under `/v1`, metrics
/// and health. Holds what the handlers need; the handlers live in extensions by area.
public struct ControlAPI: Sendable {
  public let runtime: ControlRuntime
  let authenticator: TokenAuthenticator
  let shutdown: ShutdownFlag

  public init(runtime: ControlRuntime, shutdown: ShutdownFlag = ShutdownFlag()) {
    self.runtime = runtime
    self.shutdown = shutdown
    // The drills' canary clients follow discovery over HTTP like any client: where discovery
    // needs a token, theirs is a viewer's, made for this process and never written anywhere.
    authenticator = TokenAuthenticator(
      tokens: runtime.topology.api.tokens + [
        APIToken(
          name: "failoverctl-drill", role: .viewer,
          sha256: APIToken.digest(hex: TokenAuthenticator.hexDigest(of: runtime.drillToken)) ?? [])
      ])
  }

  var topology: Topology { runtime.topology }
  var store: any CoordinationStore { runtime.store }
  var board: DiscoveryBoard { runtime.board }
  var health: HealthBoard { runtime.health }
  var metrics: ServiceMetrics { runtime.metrics }
  var runner: FailoverRunner { runtime.runner }
  var lagBook: LagBook { runtime.lagBook }
  var switcher: ServiceSwitch { runtime.switcher }

  var settings: APISettings { topology.api }

  /// Every route, in the order `docs/openapi.yaml` lists them.
  public var routes: [APIRoute] {
    let discoveryRole: APIRole? = settings.discoveryRequiresToken ? .viewer : nil
    return [
      APIRoute(.get, DiscoveryEndpoint.discoveryRoute, role: discoveryRole, nil),
      APIRoute(.get, DiscoveryEndpoint.eventsRoute, role: discoveryRole, nil),
      APIRoute(.post, "/v1/services/{name}/promote", role: .operator, promote),
      APIRoute(.post, "/v1/services/{name}/demote", role: .operator, demote),
      APIRoute(.post, "/v1/services/{name}/failover", role: .operator, failoverNow),
      APIRoute(.post, "/v1/services/{name}/failback", role: .operator, failback),
      APIRoute(.get, "/v1/services/{name}/divergence", role: .viewer, divergence),
      APIRoute(.post, "/v1/services/{name}/recover", role: .operator, recover),
      APIRoute(.get, "/v1/status", role: .viewer, status),
      APIRoute(.get, "/v1/topology", role: .viewer, topologyView),
      APIRoute(.get, "/v1/failovers", role: .viewer, failovers),
      APIRoute(.get, "/v1/failovers/{id}", role: .viewer, failover),
      APIRoute(.post, "/v1/failovers/{id}/ack", role: .operator, acknowledge),
      APIRoute(.post, "/v1/failovers/{id}/abort", role: .operator, abort),
      APIRoute(.post, "/v1/failovers/{id}/resume", role: .operator, resume),
      APIRoute(.get, "/v1/recoveries", role: .viewer, recoveries),
      APIRoute(.get, "/v1/recoveries/{id}", role: .viewer, recovery),
      APIRoute(.post, "/v1/services/{name}/drill", role: .operator, drill),
      APIRoute(.get, "/v1/drills", role: .viewer, drills),
      APIRoute(.get, "/v1/drills/{id}", role: .viewer, drillRecord),
      APIRoute(.get, "/v1/audit", role: .viewer, audit),
      APIRoute(.get, "/v1/control-plane", role: .viewer, controlPlane),
      APIRoute(.get, "/v1/lag-history", role: .viewer, lagHistory),
      APIRoute(.get, "/metrics", role: nil, metricsText),
      APIRoute(.get, "/healthz", role: nil, healthz),
      APIRoute(.get, "/readyz", role: nil, readyz),
    ]
  }

  /// Each route with its middleware, outermost first: metrics by route template and
  /// status, the JSON error body, then the bearer token and role the route needs.
  public func router() -> Router<APIContext> {
    let router = Router(context: APIContext.self)
    router.add(middleware: MethodNotAllowedMiddleware(routes: routes))
    for route in routes {
      guard let handler = route.handler else { continue }
      let group = router.group()
        .add(middleware: RouteMetricsMiddleware(metrics: metrics, route: route.path))
        .add(middleware: ErrorBodyMiddleware(route: route.path))
        .add(middleware: BearerAuthMiddleware(authenticator: authenticator, role: route.role))
      // Every POST changes something: on a follower, the leader carries it out. Drills are
      // kept by the leader that runs them: a follower asks it for their history too.
      if route.method == .post || route.path.hasPrefix("/v1/drills") {
        group.add(
          middleware: LeaderForwardMiddleware(
            controlPlane: runtime.controlPlane, http: runtime.http, maxBody: settings.maxBodyBytes))
      }
      group.on(RouterPath(route.path), method: route.method) { request, context in
        try await handler(request, context)
      }
    }
    addConsole(to: router)
    return router
  }
}

extension ControlAPI {
  /// Discovery and event streams, answered on the connection before the router.
  var discoveryEndpoint: DiscoveryEndpoint {
    DiscoveryEndpoint(
      board: board,
      auth: BearerAuthMiddleware(authenticator: authenticator, role: settings.discoveryRequiresToken ? .viewer : nil),
      maxWait: settings.maxWait, metrics: metrics, limits: ServerLimits(settings))
  }

  /// The HTTP/1 server with discovery served on each connection, and the router only for
  /// the connections that ask for it (`DiscoveryHTTP1Channel`).
  public var server: HTTPServerBuilder {
    let endpoint = discoveryEndpoint
    return HTTPServerBuilder { responder in DiscoveryHTTP1Channel(responder: responder, endpoint: endpoint) }
  }
}

/// Set when the service begins its graceful shutdown: `/readyz` then answers 503.
public final class ShutdownFlag: Sendable {
  private let box = NIOLockedValueBox(false)
  public init() {}
  public var isSet: Bool { box.withLockedValue { $0 } }
  public func set() { box.withLockedValue { $0 = true } }
}
