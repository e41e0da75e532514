import Foundation
import HealthProbes
import Hummingbird
import Orchestrator
import Topology

/// `/v1/status`, `/v1/topology`, `/v1/audit` and `/v1/lag-history`: what the console and
/// `failoverctl status` read.
struct StatusRoutes: Sendable {
  let topology: Topology
  let policies: [String: Policy]
  let store: any CoordinationStore
  let health: HealthBoard
  let lags: FlowLagReader
  let lagBook: LagBook
  let background: BackgroundBoard
  let writes: WritesBook
  let divergence: DivergenceBook
  let canaries: [ReplicationCanary]

  var routes: [APIRoute] {
    [
      APIRoute(.get, "/v1/status", role: .viewer, status),
      APIRoute(.get, "/v1/topology", role: .viewer, topologyView),
      APIRoute(.get, "/v1/audit", role: .viewer, audit),
      APIRoute(.get, "/v1/lag-history", role: .viewer, lagHistory),
    ]
  }

  @Sendable func status(_ request: Request, _ context: APIContext) async throws -> Response {
    var judged: [String: SubjectHealth] = [:]
    for name in topology.clusters.map(\.name) + topology.flows.map(\.name) {
      judged[name] = await health.health(of: name)
    }
    var view = StatusView.build(
      topology: topology, states: try await store.serviceStates(), health: { judged[$0] }, lags: try await lags.all())
    view.background = background.all
    view.standbyWrites = await writes.standbyWrites
    view.conflicts = await writes.conflicts
    view.divergence = await divergence.all
    for c in canaries { view.canaries.append(await c.state) }
    return JSONBody.response(view)
  }

  @Sendable func topologyView(_ request: Request, _ context: APIContext) async throws -> Response {
    JSONBody.response(TopologyView(topology))
  }

  /// `GET /v1/audit[?limit=N&before=ID]`, newest first; `before` pages backwards.
  @Sendable func audit(_ request: Request, _ context: APIContext) async throws -> Response {
    let limit = try request.query("limit", default: 100, range: 1...1000)
    let before = try request.query("before").map { text -> Int64 in
      guard let n = Int64(text) else {
        throw APIError.invalid("invalid query", fields: [FieldError("before", "expected an entry id")])
      }
      return n
    }
    return JSONBody.response(["entries": try await store.auditLog(limit: limit, before: before)])
  }

  /// `GET /v1/lag-history[?flow=NAME&seconds=N]`: each flow's lag as this instance measured
  /// it over the last N seconds (default and most: 3600), oldest sample first.
  @Sendable func lagHistory(_ request: Request, _ context: APIContext) async throws -> Response {
    let window = Int(LagHistory.window)
    let seconds = try request.query("seconds", default: window, range: 1...window)
    var flows = topology.flows
    if let name = request.query("flow") {
      guard let flow = topology.flows.first(where: { $0.name == name }) else {
        throw APIError.notFound("unknown flow \"\(name)\"")
      }
      flows = [flow]
    }
    let thresholds = LagHistoryView.thresholds(topology.probes)
    var out: [LagHistoryView.FlowHistory] = []
    for f in flows {
      out.append(
        LagHistoryView.FlowHistory(
          flow: f.name, source: f.source, target: f.target,
          rpoBudget: LagHistoryView.budget(f, topology: topology, policies: policies),
          degradedAbove: thresholds,
          samples: await lagBook.history(f.name, seconds: TimeInterval(seconds))))
    }
    return JSONBody.response(
      LagHistoryView(windowSeconds: seconds, sampleSpacingSeconds: Int(LagHistory.spacing), flows: out))
  }
}
