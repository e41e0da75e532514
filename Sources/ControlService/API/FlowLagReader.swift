import Orchestrator
import Topology

/// Lag of every flow from the stored MM2 state and the source's partitions as the lag
/// meter last measured them: no broker round trip on a request.
struct FlowLagReader: Sendable {
  let topology: Topology
  let local: StateStore

  func all() async throws -> [(Flow, FlowLag)] {
    var out: [(Flow, FlowLag)] = []
    for f in topology.flows {
      out.append((f, try await FlowLag.measure(flow: f, store: local, source: nil)))
    }
    return out
  }
}
