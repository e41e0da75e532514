import Orchestrator
import Topology

extension ControlServer {
  /// The HTTP API over a runtime: each route group gets from it what it reads, here and
  /// nowhere else.
  public static func api(over runtime: ControlRuntime, shutdown: ShutdownFlag = ShutdownFlag()) -> ControlAPI {
    let topology = runtime.topology
    let settings = topology.api
    let intake = RequestIntake(store: runtime.store, metrics: runtime.metrics, maxBodyBytes: settings.maxBodyBytes)
    let lags = FlowLagReader(topology: topology, local: runtime.local)
    let publish: @Sendable (ServiceState) -> Void = { runtime.publish($0) }
    let groups: [[APIRoute]] = [
      ServiceActionRoutes(
        topology: topology, health: runtime.health, lagBook: runtime.lagBook, switcher: runtime.switcher,
        runner: runtime.runner, metrics: runtime.metrics, intake: intake, publish: publish
      ).routes,
      DivergenceRoutes(
        topology: topology,
        finder: DivergenceFinder(topology: topology, store: runtime.store, mm2: runtime.local, kafka: runtime.kafka),
        health: runtime.health
      ).routes,
      RecoveryRoutes(
        topology: topology, policies: runtime.policies, store: runtime.store, local: runtime.local,
        recoveries: runtime.recoveries, intake: intake
      ).routes,
      StatusRoutes(
        topology: topology, policies: runtime.policies, store: runtime.store, health: runtime.health, lags: lags,
        lagBook: runtime.lagBook, background: runtime.background, writes: runtime.writes,
        divergence: runtime.divergence, canaries: runtime.canaries
      ).routes,
      FailoverRoutes(
        topology: topology, store: runtime.store, runner: runtime.runner, metrics: runtime.metrics, publish: publish
      ).routes,
      DrillRoutes(drills: runtime.drills, local: runtime.local, intake: intake).routes,
      ControlPlaneRoutes(controlPlane: runtime.controlPlane).routes,
      OperationsRoutes(
        topology: topology, policies: runtime.policies, store: runtime.store, health: runtime.health,
        board: runtime.board, lags: lags, metrics: runtime.metrics, controlPlane: runtime.controlPlane,
        background: runtime.background, canaries: runtime.canaries, shutdown: shutdown
      ).routes,
    ]
    // The drills' canary clients follow discovery over HTTP like any client: where discovery
    // needs a token, theirs is a viewer's, made for this process and never written anywhere.
    let drillToken = APIToken(
      name: "failoverctl-drill", role: .viewer,
      sha256: APIToken.digest(hex: TokenAuthenticator.hexDigest(of: runtime.drillToken)) ?? [])
    return ControlAPI(
      groups: groups, settings: settings, authenticator: TokenAuthenticator(tokens: settings.tokens + [drillToken]),
      metrics: runtime.metrics, board: runtime.board, controlPlane: runtime.controlPlane, http: runtime.http,
      shutdown: shutdown)
  }
}
