import KafkaConnect
import Topology

/// What the reconfigure-replication step does to the flows of a move, decided from the
/// journal record, the policy and the other services' states alone.
struct ReplicationChange: Equatable {
  /// Pause the flow out of the source.
  var pauseOutbound: Bool
  /// The services the outbound flow still protects, when it is left running.
  var stillReplicating: [String]
  /// Resume the flow back (target → source).
  var resumeBack: Bool

  /// A flow carries every service of its clusters: pausing it for this one would stop
  /// disaster recovery for the others staying on the source (one failing over too pauses
  /// it itself: a regional failure moves them all). A failback returns home: the home's
  /// flow out to the standby, paused when the service left, must run again, whatever the
  /// policy says about the way out.
  static func decide(
    _ r: FailoverRecord, _ flow: Flow, mode: Policy.Action.Replication, states: [ServiceState], topology: Topology
  ) -> ReplicationChange {
    let others = states.filter { s in
      s.service != r.service && s.activeCluster == flow.source && s.state == .stable
        && topology.service(s.service)?.clusters.contains(flow.target) == true
    }.map(\.service)
    return ReplicationChange(
      pauseOutbound: others.isEmpty, stillReplicating: others, resumeBack: mode == .reverse || r.kind == .failback)
  }
}

extension FailoverExecutor {
  func reconfigure(_ r: FailoverRecord, _ mode: Policy.Action.Replication) async throws -> String {
    guard mode != .none else { return "replication left as it is (policy)" }
    guard let flow = topology.flow(from: r.sourceCluster, to: r.targetCluster) else {
      return "no flow \(r.sourceCluster)->\(r.targetCluster)"
    }
    guard topology.connectURL(of: flow) != nil else {
      return "no Connect URL for \(flow.name): pause its connectors by hand"
    }
    let change = ReplicationChange.decide(
      r, flow, mode: mode, states: try await store.serviceStates(), topology: topology)
    var notes: [String] = []
    if change.pauseOutbound {
      notes += try await setConnectors(flow, .pause)
    } else {
      notes.append("\(flow.name) left running: it still replicates \(change.stillReplicating.joined(separator: ", "))")
    }
    if change.resumeBack, let back = topology.flow(from: r.targetCluster, to: r.sourceCluster) {
      notes += try await setConnectors(back, .resume)
    }
    return notes.joined(separator: "; ")
  }

  /// Pauses or resumes every connector of a flow; nothing when it has no Connect URL.
  /// Leadership is checked right before the call (a step can last long enough to lose
  /// it), and the call carries the fencing token.
  func setConnectors(_ flow: Flow, _ verb: ConnectVerb) async throws -> [String] {
    guard let url = topology.connectURL(of: flow) else { return [] }
    guard case .leader(let token) = try await store.leadership() else {
      throw StoreError(.conflict, path: store.backend, "\(verb) \(flow.name): this instance no longer leads")
    }
    return try await connect.set(verb, connectors: flow.connectors.all, at: url, fencingToken: token)
  }
}
