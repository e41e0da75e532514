import Foundation
import HealthProbes
import Hummingbird
import Orchestrator
import Topology

extension ControlAPI {
  @Sendable func status(_ request: Request, _ context: APIContext) async throws -> Response {
    JSONBody.response(try await statusView())
  }

  func statusView() async throws -> StatusView {
    var judged: [String: SubjectHealth] = [:]
    for name in topology.clusters.map(\.name) + topology.flows.map(\.name) {
      judged[name] = await health.health(of: name)
    }
    var view = StatusView.build(
      topology: topology, states: try await store.serviceStates(), health: { judged[$0] }, lags: try await flowLags())
    view.background = runtime.background.all
    view.standbyWrites = await runtime.writes.standbyWrites
    view.conflicts = await runtime.writes.conflicts
    view.divergence = await runtime.divergence.all
    for c in runtime.canaries { view.canaries.append(await c.state) }
    return view
  }

  /// Lag of every flow from the stored MM2 state and the source's partitions as the lag
  /// meter last measured them (no broker round trip on a request).
  func flowLags() async throws -> [(Flow, FlowLag)] {
    var out: [(Flow, FlowLag)] = []
    for f in topology.flows {
      out.append((f, try await FlowLag.measure(flow: f, store: runtime.local, source: nil)))
    }
    return out
  }

  @Sendable func topologyView(_ request: Request, _ context: APIContext) async throws -> Response {
    JSONBody.response(TopologyView(topology))
  }

  /// `GET /v1/failovers[?service=NAME&limit=N]`, newest first.
  @Sendable func failovers(_ request: Request, _ context: APIContext) async throws -> Response {
    let q = request.uri.queryParameters
    let limit = try intParameter(q.get("limit").map { String($0) }, "limit", default: 50, range: 1...1000)
    let service = q.get("service").map { String($0) }
    guard let service else {
      return JSONBody.response(["failovers": try await store.failovers(service: nil, limit: limit)])
    }
    guard let configured = topology.service(service) else {
      throw APIError.notFound("unknown service \"\(service)\"")
    }
    // An active-active service's failovers are its regions' (`orders@east`, ...).
    if configured.mode == .activeActive, configured.region == nil {
      let lanes = Set(configured.clientRegions.map { LaneID(service: service, region: $0).description })
      let all = try await store.failovers(service: nil, limit: 1000).filter { lanes.contains($0.service) }
      return JSONBody.response(["failovers": Array(all.prefix(limit))])
    }
    return JSONBody.response(["failovers": try await store.failovers(service: service, limit: limit)])
  }

  @Sendable func failover(_ request: Request, _ context: APIContext) async throws -> Response {
    let id = try pathID(context)
    guard let record = try await store.failover(id: id) else { throw APIError.notFound("no failover \(id)") }
    return JSONBody.response(record)
  }

  /// `GET /v1/audit[?limit=N&before=ID]`, newest first; `before` pages backwards.
  @Sendable func audit(_ request: Request, _ context: APIContext) async throws -> Response {
    let q = request.uri.queryParameters
    let limit = try intParameter(q.get("limit").map { String($0) }, "limit", default: 100, range: 1...1000)
    let before = try q.get("before").map { text -> Int64 in
      guard let n = Int64(text) else {
        throw APIError.invalid("invalid query", fields: [FieldError("before", "expected an entry id")])
      }
      return n
    }
    return JSONBody.response(["entries": try await store.auditLog(limit: limit, before: before)])
  }

  /// The `{id}` of the path: a failover's, a recovery's, a drill's.
  func pathID(_ context: APIContext) throws -> Int64 {
    let text = context.parameters.get("id") ?? ""
    guard let id = Int64(text) else {
      throw APIError.invalid("invalid path", fields: [FieldError("id", "expected an integer, found \"\(text)\"")])
    }
    return id
  }

  func intParameter(_ text: String?, _ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
    guard let text else { return value }
    guard let n = Int(text), range.contains(n) else {
      throw APIError.invalid(
        "invalid query",
        fields: [
          FieldError(name, "expected an integer from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"")
        ])
    }
    return n
  }
}
