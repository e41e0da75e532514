import CurlHTTP
import Foundation
import Hummingbird
import HummingbirdCore
import NIOConcurrencyHelpers
import Orchestrator
import Topology

/// The HTTP API of the control service: discovery, the admin API under `/v1`, metrics
/// and health. The handlers live in route groups by area, each built with what it reads
/// (`ControlServer.api(over:)`); this type holds what every route shares.
public struct ControlAPI: Sendable {
  /// Every route: discovery's two, served on the connection, then each group's.
  public let routes: [APIRoute]
  let settings: APISettings
  let authenticator: TokenAuthenticator
  let metrics: ServiceMetrics
  let board: DiscoveryBoard
  /// Where a follower sends what changes something: the leader.
  let controlPlane: any ControlPlane
  let http: HTTPClient
  let shutdown: ShutdownFlag

  init(
    groups: [[APIRoute]], settings: APISettings, authenticator: TokenAuthenticator, metrics: ServiceMetrics,
    board: DiscoveryBoard, controlPlane: any ControlPlane, http: HTTPClient, shutdown: ShutdownFlag
  ) {
    let discoveryRole: APIRole? = settings.discoveryRequiresToken ? .viewer : nil
    routes =
      [
        APIRoute(.get, DiscoveryEndpoint.discoveryRoute, role: discoveryRole, nil),
        APIRoute(.get, DiscoveryEndpoint.eventsRoute, role: discoveryRole, nil),
      ] + groups.flatMap { $0 }
    self.settings = settings
    self.authenticator = authenticator
    self.metrics = metrics
    self.board = board
    self.controlPlane = controlPlane
    self.http = http
    self.shutdown = shutdown
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
            controlPlane: controlPlane, http: http, maxBody: settings.maxBodyBytes))
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
