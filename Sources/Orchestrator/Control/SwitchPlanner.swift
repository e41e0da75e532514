import HealthProbes
import Topology

/// What a switch will do, decided before anything is read from a cluster or written.
public struct SwitchPlan: Sendable, Equatable {
  public let service: Service
  public let current: ServiceState
  public let kind: FailoverKind
  public let mode: SwitchMode
  public let source: String
  public let target: String
  /// The flow whose MM2 state translates the groups; nil: none, offsets are not translated.
  public let flow: Flow?
  public let warnings: [String]
  /// The steps, in order, as an operator reads them.
  public let steps: [String]
}

/// Where the known loss of a switch comes from.
public enum LossBasis: Sendable, Equatable {
  /// Measure the flow's lag now (the source answers).
  case measure
  /// The last measured lag stands for it (nil: never measured): asking a source judged
  /// unreachable would only wait for its timeout.
  case lastKnown(Int64?)
}

/// The decisions of a promote, failover, failback or demote, pure: the request, the
/// stored state, the health and the leadership in; a plan or the refusal out. Unit-tested
/// like `PolicyEvaluator.decide`; `ServiceSwitch` reads, asks this, commits, audits.
public enum SwitchPlanner {
  /// A promote (planned or forced) of `name` to `target`; failovers and failbacks are
  /// promotes of their kind.
  public static func promote(
    _ name: String, to target: String, mode: SwitchMode, kind: FailoverKind, topology: Topology,
    state: ServiceState?, targetHealth: HealthState?, isLeader: Bool
  ) throws(ControlError) -> SwitchPlan {
    guard isLeader else { throw notLeader }
    let (service, current) = try lookup(name, topology, state)
    try check(target, of: service, current: current, topology)
    var warnings: [String] = []
    switch (mode, targetHealth) {
    case (.planned, .unreachable?):
      throw ControlError(
        .conflict,
        "target \(target) is unreachable; a planned promote needs a reachable target (use mode forced to promote it anyway)"
      )
    case (.forced, .unreachable?):
      warnings.append("target \(target) is unreachable; promoted because the mode is forced")
    case (_, nil):
      warnings.append("no health known yet for \(target)")
    default:
      break
    }
    let source = current.activeCluster
    let flow = topology.flow(from: source, to: target)
    if flow == nil { warnings.append("no flow \(source)->\(target): offsets are not translated") }
    let steps = FailoverStepName.allCases.map {
      describe($0, source: source, target: target, mode, activeActive: service.mode == .activeActive)
    }
    return SwitchPlan(
      service: service, current: current, kind: kind, mode: mode, source: source, target: target, flow: flow,
      warnings: warnings, steps: steps)
  }

  /// A failback: the service is away from its primary (or fenced there) and a flow brings
  /// its records home.
  public static func failback(
    _ name: String, topology: Topology, state: ServiceState?, homeHealth: HealthState?, isLeader: Bool
  ) throws(ControlError) -> SwitchPlan {
    guard isLeader else { throw notLeader }
    let (service, current) = try lookup(name, topology, state)
    guard current.activeCluster != service.primary || !current.writable else {
      throw ControlError(.conflict, "\(name) is already on its primary \(service.primary)")
    }
    guard topology.flow(from: current.activeCluster, to: service.primary) != nil else {
      throw ControlError(
        .conflict,
        "no flow \(current.activeCluster)->\(service.primary): a failback needs replication back to the primary")
    }
    return try promote(
      name, to: service.primary, mode: .planned, kind: .failback, topology: topology, state: state,
      targetHealth: homeHealth, isLeader: isLeader)
  }

  /// An unplanned failover's known loss: a source judged unreachable is not asked.
  public static func lossBasis(sourceHealth: HealthState?, lastKnown: Int64?) -> LossBasis {
    sourceHealth == .unreachable ? .lastKnown(lastKnown) : .measure
  }

  /// A demote: the active cluster is writable now.
  public static func demote(_ name: String, topology: Topology, state: ServiceState?, isLeader: Bool)
    throws(ControlError) -> (Service, ServiceState)
  {
    guard isLeader else { throw notLeader }
    let (service, current) = try lookup(name, topology, state)
    guard current.writable else {
      throw ControlError(
        .conflict, "service \(name) is already demoted (epoch \(current.epoch)); promote a cluster to end it")
    }
    return (service, current)
  }

  static let notLeader = ControlError(.conflict, "this orchestrator is not the leader: send the request to the leader")

  static func lookup(_ name: String, _ topology: Topology, _ state: ServiceState?) throws(ControlError) -> (
    Service, ServiceState
  ) {
    guard let service = topology.service(name) else {
      let hint = suggestion(for: name, among: topology.services.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw ControlError(.notFound, "unknown service \"\(name)\"\(hint)")
    }
    guard let state else { throw ControlError(.notFound, "service \"\(name)\" has no stored state yet") }
    return (service, state)
  }

  static func check(_ target: String, of service: Service, current: ServiceState, _ topology: Topology)
    throws(ControlError)
  {
    guard topology.cluster(target) != nil else {
      let hint =
        suggestion(for: target, among: topology.clusters.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw ControlError(
        .invalid, "invalid request", fields: [FieldError("to", "unknown cluster \"\(target)\"\(hint)")])
    }
    guard service.clusters.contains(target) else {
      throw ControlError(
        .invalid, "invalid request",
        fields: [
          FieldError(
            "to",
            "cluster \"\(target)\" does not serve \(service.name) (its clusters: "
              + service.clusters.joined(separator: ", ") + ")")
        ])
    }
    if target == current.activeCluster && current.writable {
      throw ControlError(
        .conflict, "\(target) is already the active cluster of \(service.name) (epoch \(current.epoch))")
    }
  }

  static func describe(
    _ step: FailoverStepName, source: String, target: String, _ mode: SwitchMode, activeActive: Bool
  ) -> String {
    switch step {
    case .reconfigureReplication where activeActive:
      "leave replication as it is (active-active: the other regions' clients use both clusters)"
    case .translateOffsets where activeActive:
      "translate the region's groups' offsets onto \(target): the local topic and every remote copy they read"
    case .intent: "journal the failover and its fencing epoch"
    case .fenceSource: "mark \(source) not writable in discovery (epoch + 1)"
    case .waitForLeases: "if the policy says fence.waitForLeases: let clients' discovery leases run out after the fence"
    case .drain:
      mode == .planned ? "wait until \(source)->\(target) has replicated everything" : "no drain (\(mode.rawValue))"
    case .refreshCheckpoints: "read the newest MM2 checkpoints and offset-syncs of \(source)->\(target)"
    case .translateOffsets: "translate the consumer groups' offsets onto \(target)"
    case .writeOffsets: "write the translated offsets on \(target)"
    case .switchDiscovery: "make \(target) active in discovery (epoch + 1)"
    case .reconfigureReplication: "pause the MM2 flow \(source)->\(target) (Connect REST API)"
    case .verify: "check the state and that \(target) answers"
    }
  }
}
