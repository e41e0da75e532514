import Foundation
import HealthProbes
import KafkaClient
import Logging
import Orchestrator
import ServiceLifecycle

/// Evaluates every service's policy once a second against the live health model and the
/// last known replication lag, and starts (or, with manual approval, opens) a failover
/// when the policy says so. Every change of decision is logged; refusals say which guard.
struct AutoFailover: ServiceLifecycle.Service {
  let api: ControlAPI
  let policies: [String: Policy]
  let logger: Logger

  func run() async throws {
    let book = api.lagBook
    await cancelWhenGracefulShutdown { await loop(book) }
  }

  private func loop(_ book: LagBook) async {
    let topology = api.topology
    var aboveSince: [String: Date] = [:]
    var lastDecision: [String: PolicyDecision] = [:]
    while !Task.isCancelled {
      try? await Task.sleep(for: .seconds(1))
      var health: [String: SubjectHealth] = [:]
      var kinds: [String: (state: HealthState, since: Date?)] = [:]
      for c in topology.clusters {
        health[c.name] = await api.health.health(of: c.name)
        for k in PolicyLoader.probeKinds { kinds["\(k)/\(c.name)"] = await api.health.health(of: c.name, kind: k) }
      }
      let (lag, checkpointAge) = await book.snapshot
      let now = Date()
      for policy in policies.values {
        for case .lagAbove(let n, _) in policy.trigger.conditions {
          for (flow, behind) in lag {
            let key = "\(flow)>\(n)"
            if behind > n { aboveSince[key] = aboveSince[key] ?? now } else { aboveSince[key] = nil }
          }
        }
      }
      let open = Set(((try? await api.store.openFailovers()) ?? []).map(\.service))
      for service in topology.services {
        guard let name = service.policy, let policy = policies[name], !open.contains(service.name),
          let state = try? await api.store.serviceState(service.name), state.writable
        else { continue }
        let recent =
          ((try? await api.store.automaticFailovers(
            service: service.name, since: now.addingTimeInterval(-(policy.guards.window / .seconds(1))))) ?? [])
          .map(\.createdAt)
        let inputs = PolicyInputs(
          health: health, kindHealth: kinds, lagRecords: lag, lagAboveSince: aboveSince,
          checkpointAgeSeconds: checkpointAge, recentAutomatic: recent, now: now)
        let decision = PolicyEvaluator(policy: policy, topology: topology).decide(
          service: service, active: state.activeCluster, inputs)
        if lastDecision[service.name] != decision {
          lastDecision[service.name] = decision
          log(service.name, policy.name, decision)
        }
        switch decision {
        case .failover(let target, let reason), .pending(let target, let reason):
          let flow = topology.flow(from: state.activeCluster, to: target)?.name ?? ""
          await start(
            service.name, policy.name, target, reason,
            pending: { if case .pending = decision { true } else { false } }(), health[target]?.state,
            knownLoss: await book.expectedLoss(flow))
        default:
          break
        }
      }
    }
  }

  private func start(
    _ service: String, _ policy: String, _ target: String, _ reason: String, pending: Bool,
    _ targetHealth: HealthState?,
    knownLoss: Int64?
  ) async {
    do {
      let outcome = try await ServiceSwitch(topology: api.topology, store: api.store).promote(
        service: service, PromoteRequest(target: target, mode: .forced, reason: "policy \(policy): \(reason)"),
        actor: "policy:\(policy)", targetHealth: targetHealth, kind: "failover", pending: pending,
        knownLoss: .some(knownLoss))
      if let f = outcome.failover {
        if pending { api.runner.notify("pending", f) } else { await api.runner.start(f) }
      }
      logger.notice(
        "\(pending ? "opened pending" : "started") failover \(outcome.failover?.id ?? 0) of \(service) to \(target): \(reason)"
      )
    } catch {
      logger.error("policy \(policy) could not fail \(service) over to \(target): \(error)")
    }
  }

  private func log(_ service: String, _ policy: String, _ d: PolicyDecision) {
    switch d {
    case .quiet: logger.info("policy \(policy) for \(service): quiet")
    case .refused(let g, let reason):
      logger.warning("policy \(policy) for \(service): trigger holds, refused by \(g): \(reason)")
    case .failover(let t, let reason): logger.notice("policy \(policy) for \(service): fail over to \(t) (\(reason))")
    case .pending(let t, let reason):
      logger.notice("policy \(policy) for \(service): failover to \(t) awaits an ack (\(reason))")
    }
  }
}
