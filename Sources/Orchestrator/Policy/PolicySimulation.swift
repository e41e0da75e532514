import Foundation
import HealthProbes
import Topology

/// Replays stored probe history through the health model and a policy, as the service
/// would have evaluated it, and lists every change of decision. A simulated failover
/// counts for the cooldown and rate guards of later ones, and moves the service to its
/// target (a returning region is not failed back: only an operator does that).
public struct PolicySimulation: Sendable {
  /// What the policy decided at an event, without its details.
  public enum Decision: String, Sendable, Codable, Equatable {
    case failover, pending, refused, quiet
  }

  public struct Event: Sendable, Codable, Equatable {
    public let at: Date
    public let service: String
    public let decision: Decision
    public let target: String?
    public let reason: String
  }

  public let policy: Policy
  public let topology: Topology

  public init(policy: Policy, topology: Topology) {
    self.policy = policy
    self.topology = topology
  }

  public func run(history: [ProbeResult], services: [Service]) -> [Event] {
    let p = topology.probes
    var model = HealthModel(
      hysteresis: Hysteresis(failuresToDown: p.failuresToDown, successesToUp: p.successesToUp), quorum: p.quorum)
    let evaluator = PolicyEvaluator(policy: policy, topology: topology)
    var active = Dictionary(uniqueKeysWithValues: services.map { ($0.name, $0.primary) })
    var fired: [String: [Date]] = [:]
    var last: [String: String] = [:]
    var events: [Event] = []
    for result in history {
      model.observe(result)
      var health: [String: SubjectHealth] = [:]
      var kinds: [HealthKey: (state: HealthState, since: Date?)] = [:]
      for c in topology.clusters where model.subjects.contains(where: { $0.subject == c.name }) {
        health[c.name] = model.health(of: c.name)
        for k in ProbeKind.allCases { kinds[HealthKey(kind: k, subject: c.name)] = model.health(of: c.name, kind: k) }
      }
      for service in services {
        let inputs = PolicyInputs(
          health: health, kindHealth: kinds, recentAutomatic: fired[service.name] ?? [], now: result.at)
        let decision = evaluator.decide(service: service, active: active[service.name]!, inputs)
        let (name, target, reason): (Decision, String?, String) =
          switch decision {
          case .quiet: (.quiet, nil, "")
          case .refused(let g, let r): (.refused, nil, "\(g): \(r)")
          case .failover(let t, let r): (.failover, t, r)
          case .pending(let t, let r): (.pending, t, r)
          }
        let key = "\(name) \(target ?? "") \(reason)"
        if last[service.name] != key {
          last[service.name] = key
          if !(name == .quiet && events.isEmpty) {
            events.append(Event(at: result.at, service: service.name, decision: name, target: target, reason: reason))
          }
        }
        if name == .failover, let target {
          fired[service.name, default: []].append(result.at)
          active[service.name] = target
        }
      }
    }
    return events
  }
}
