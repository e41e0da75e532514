import HealthProbes
import Topology

/// Whether a drill may start, decided from what the orchestrator knows now: every closed
/// gate is named (an operator fixes them all at once, not one per attempt). Pure, so its
/// rules are tested without a cluster.
public struct DrillGate: Sendable {
  /// What the gate looks at.
  public struct Facts: Sendable {
    public var service: Service
    public var state: ServiceState
    public var target: String
    public var topology: Topology
    /// Health of every cluster the service uses; nil for one not judged yet.
    public var health: [String: HealthState?]
    /// Failovers of any service not finished.
    public var openFailovers: [FailoverRecord]
    /// Another drill running (of any service).
    public var runningDrill: DrillRecord?
    /// Unrecovered tails of failovers (any service).
    public var divergences: [Divergence]
    /// Records the flow home→target is behind; nil when unknown.
    public var lag: Int64?
    public var budget: Int64?
    /// The judgement of the flow's replication canary, when it has one.
    public var canary: HealthState?

    public init(
      service: Service, state: ServiceState, target: String, topology: Topology, health: [String: HealthState?],
      openFailovers: [FailoverRecord], runningDrill: DrillRecord?, divergences: [Divergence], lag: Int64?,
      budget: Int64?, canary: HealthState?
    ) {
      self.service = service
      self.state = state
      self.target = target
      self.topology = topology
      self.health = health
      self.openFailovers = openFailovers
      self.runningDrill = runningDrill
      self.divergences = divergences
      self.lag = lag
      self.budget = budget
      self.canary = canary
    }
  }

  /// The target a drill of `service` goes to: the one asked for, else the first standby.
  public static func target(of service: Service, asked: String?, settings: DrillSettings) -> String? {
    asked ?? settings.target ?? service.standbys.first
  }

  /// Every closed gate, in a fixed order; empty: the drill may start.
  public static func closed(_ f: Facts) -> [String] {
    var out: [String] = []
    let name = f.service.name
    if f.service.mode == .activeActive {
      out.append("\(name) is active-active: a drill moves an active-passive service")
    }
    if !f.service.clusters.contains(f.target) || f.target == f.service.primary {
      out.append("\(f.target) is not a standby of \(name) (standbys: \(f.service.standbys.joined(separator: ", ")))")
    }
    if f.state.activeCluster != f.service.primary || !f.state.writable || f.state.state != .stable {
      out.append(
        "\(name) is not at home: active \(f.state.activeCluster) (\(f.state.state.rawValue)), primary \(f.service.primary)"
      )
    }
    let out_ = f.topology.flow(from: f.service.primary, to: f.target)
    if out_ == nil { out.append("no flow \(f.service.primary)->\(f.target): nothing replicates to the target") }
    if f.topology.flow(from: f.target, to: f.service.primary) == nil {
      out.append("no flow \(f.target)->\(f.service.primary): the drill could not come back")
    }
    for c in [f.service.primary, f.target] {
      switch f.health[c] ?? nil {
      case .healthy?: break
      case nil: out.append("\(c) has not been judged yet")
      case let s?: out.append("\(c) is \(s.rawValue)")
      }
    }
    if let open = f.openFailovers.first {
      out.append(
        "failover \(open.id) of \(open.service) is \(open.status.rawValue)\(f.openFailovers.count > 1 ? " (and \(f.openFailovers.count - 1) more)" : "")"
      )
    }
    if let d = f.runningDrill { out.append("drill \(d.id) of \(d.service) is running") }
    for d in f.divergences where d.unrecovered > 0 {
      out.append("incident: \(d.unrecovered) records of \(d.service) on \(d.oldPrimary) are not recovered")
    }
    if let flow = out_ {
      switch (f.lag, f.budget) {
      case (nil, _): out.append("lag of \(flow.name) unknown: the RPO budget cannot be checked")
      case (let lag?, let budget?) where lag > budget:
        out.append("\(flow.name) is \(lag) records behind, over the budget of \(budget)")
      default: break
      }
      if let c = f.canary, c != .healthy {
        out.append("the replication canary of \(flow.name) is \(c.rawValue)")
      }
    }
    return out
  }
}
