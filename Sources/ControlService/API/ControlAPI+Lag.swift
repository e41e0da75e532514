import Foundation
import Hummingbird
import Topology

extension ControlAPI {
  /// `GET /v1/lag-history[?flow=NAME&seconds=N]`: each flow's lag as this instance measured
  /// it over the last N seconds (default and most: 3600), oldest sample first.
  @Sendable func lagHistory(_ request: Request, _ context: APIContext) async throws -> Response {
    let q = request.uri.queryParameters
    let window = Int(LagHistory.window)
    let seconds = try intParameter(q.get("seconds").map { String($0) }, "seconds", default: window, range: 1...window)
    var flows = topology.flows
    if let name = q.get("flow").map({ String($0) }) {
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
          rpoBudget: LagHistoryView.budget(f, topology: topology, policies: runtime.policies),
          degradedAbove: thresholds,
          samples: await lagBook.history(f.name, seconds: TimeInterval(seconds))))
    }
    return JSONBody.response(
      LagHistoryView(windowSeconds: seconds, sampleSpacingSeconds: Int(LagHistory.spacing), flows: out))
  }
}
