import HealthProbes
import Hummingbird
import NIOCore
import Orchestrator
import Topology

/// `/metrics`, `/healthz` and `/readyz`: for Prometheus, and for the process supervisor
/// and load balancer in front of the service.
struct OperationsRoutes: Sendable {
  let topology: Topology
  let policies: [String: Policy]
  let store: any CoordinationStore
  let health: HealthBoard
  let board: DiscoveryBoard
  let lags: FlowLagReader
  let metrics: ServiceMetrics
  let controlPlane: any ControlPlane
  let background: BackgroundBoard
  let canaries: [ReplicationCanary]
  let shutdown: ShutdownFlag

  var routes: [APIRoute] {
    [
      APIRoute(.get, "/metrics", role: nil, metricsText),
      APIRoute(.get, "/healthz", role: nil, healthz),
      APIRoute(.get, "/readyz", role: nil, readyz),
    ]
  }

  /// `GET /metrics`: Prometheus text format, gauges refreshed from the current state.
  @Sendable func metricsText(_ request: Request, _ context: APIContext) async throws -> Response {
    var clusters: [(name: String, health: HealthState?)] = []
    var votes: [VantageVote] = []
    for c in topology.clusters {
      let judged = await health.health(of: c.name)
      clusters.append((c.name, judged?.state))
      votes += judged?.votes ?? []
    }
    metrics.votes(votes)
    metrics.refresh(
      clusters: clusters, flows: try await lags.all().map(\.1), services: try await store.serviceStates(),
      longPolls: board.waiting, eventStreams: board.streaming)
    metrics.role(leader: await controlPlane.leadership().isLeader)
    metrics.background(background.all)
    var states: [CanaryState] = []
    for c in canaries { states.append(await c.state) }
    metrics.canaries(states)
    metrics.rpoBudgets(topology: topology, policies: policies)
    return Response(
      status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
      body: .init(byteBuffer: ByteBuffer(bytes: metrics.registry.emitToBuffer())))
  }

  /// `GET /healthz`: the process answers and its database does.
  @Sendable func healthz(_ request: Request, _ context: APIContext) async throws -> Response {
    let ok = await store.ping()
    return JSONBody.response(
      ["status": ok ? "ok" : "the coordination store (\(store.backend)) does not answer"],
      status: ok ? .ok : .serviceUnavailable)
  }

  /// `GET /readyz`: every probe has reported once and the service is not shutting down.
  @Sendable func readyz(_ request: Request, _ context: APIContext) async throws -> Response {
    let pending = await health.pending
    // A member of a coordinated control plane that cannot reach etcd serves stale state.
    let storeOK = controlPlane.mode == .standalone ? true : await store.ping()
    // A background service that is down is shown; automatic failover down means this
    // instance cannot do what it is for: not ready.
    let down = background.down
    let failoverDown = down.contains("auto-failover")
    let ready =
      pending.isEmpty && !shutdown.isSet && board.services.count == topology.lanes.count && storeOK
      && !failoverDown
    var body: [String: AnyEncodable] = ["ready": AnyEncodable(ready)]
    if failoverDown { body["reason"] = AnyEncodable("automatic failover is down and being started again") }
    if shutdown.isSet { body["reason"] = AnyEncodable("shutting down") }
    if !storeOK { body["reason"] = AnyEncodable("cannot reach the coordination store (\(store.backend))") }
    if !pending.isEmpty { body["waitingFor"] = AnyEncodable(pending) }
    if !down.isEmpty { body["down"] = AnyEncodable(down) }
    return JSONBody.response(body, status: ready ? .ok : .serviceUnavailable)
  }
}
