import Foundation
import HealthProbes
import KafkaClient
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// Evaluates every service's policy once a second against the live health model and the
/// last known replication lag, and starts (or, with manual approval, opens) a failover
/// when the policy says so. Every change of decision is logged; refusals say which guard.
/// Time comes from `clock` (the ticks) and `now` (the wall time decisions compare), so a
/// test drives it through a trigger's `for`, cooldowns and rate windows in milliseconds.
public actor AutoFailover {
  let topology: Topology
  let store: any CoordinationStore
  let health: HealthBoard
  let lagBook: LagBook
  let switcher: ServiceSwitch
  let runner: FailoverRunner
  let policies: [String: Policy]
  let clock: any Clock<Duration>
  let now: @Sendable () -> Date
  let logger: Logger
  private var aboveSince: [LagThreshold: Date] = [:]
  private var lastDecision: [String: PolicyDecision] = [:]

  public init(
    topology: Topology, store: any CoordinationStore, health: HealthBoard, lagBook: LagBook, switcher: ServiceSwitch,
    runner: FailoverRunner, policies: [String: Policy], clock: any Clock<Duration>,
    now: @escaping @Sendable () -> Date = { Date() }, logger: Logger
  ) {
    self.topology = topology
    self.store = store
    self.health = health
    self.lagBook = lagBook
    self.switcher = switcher
    self.runner = runner
    self.policies = policies
    self.clock = clock
    self.now = now
    self.logger = logger
  }

  /// Ticks until cancelled: once a second, and as soon as a verdict changes. On the
  /// second alone, a cluster judged unreachable just after a tick waited a whole second
  /// for the next (region down to new epoch: 4.8 s against 3.8 s, bench/README.md).
  public func loop() async {
    let (wake, ring) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    await withTaskGroup(of: Void.self) { group in
      group.addTask { [clock] in
        while !Task.isCancelled {
          try? await clock.sleep(for: .seconds(1))
          ring.yield()
        }
        ring.finish()
      }
      group.addTask { [health] in
        for await _ in health.changes { ring.yield() }
      }
      // One evaluation at a time: rings while one runs are folded into the next.
      for await _ in wake {
        if Task.isCancelled { break }
        await tick()
      }
      group.cancelAll()
    }
  }

  /// One evaluation of every service's policy, at `now()`. Returns the decisions.
  @discardableResult
  public func tick() async -> [String: PolicyDecision] {
    guard (try? await store.leadership())?.isLeader == true else { return [:] }
    let now = self.now()
    var health: [String: SubjectHealth] = [:]
    var kinds: [HealthKey: (state: HealthState, since: Date?)] = [:]
    for c in topology.clusters {
      health[c.name] = await self.health.health(of: c.name)
      for k in ProbeKind.allCases {
        kinds[HealthKey(kind: k, subject: c.name)] = await self.health.health(of: c.name, kind: k)
      }
    }
    let (lag, checkpointAge) = await lagBook.snapshot
    let unsynced = await lagBook.unsyncedFlows
    for policy in policies.values {
      for case .lagAbove(let n, _) in policy.trigger.conditions {
        for (flow, behind) in lag {
          let key = LagThreshold(flow: flow, records: n)
          if behind > n { aboveSince[key] = aboveSince[key] ?? now } else { aboveSince[key] = nil }
        }
      }
    }
    let open = Set(((try? await store.openFailovers()) ?? []).map(\.service))
    var decisions: [String: PolicyDecision] = [:]
    for service in topology.lanes {
      guard let name = service.policy, let policy = policies[name], !open.contains(service.name),
        let state = try? await store.serviceState(service.name), state.writable
      else { continue }
      let recent =
        ((try? await store.automaticFailovers(
          service: service.name, since: now.addingTimeInterval(-(policy.guards.window / .seconds(1))))) ?? [])
        .map(\.createdAt)
      var inputs = PolicyInputs(
        health: health, kindHealth: kinds, lagRecords: lag, lagAboveSince: aboveSince,
        checkpointAgeSeconds: checkpointAge, recentAutomatic: recent, now: now)
      inputs.unsyncedFlows = unsynced
      let decision = PolicyEvaluator(policy: policy, topology: topology).decide(
        service: service, active: state.activeCluster, inputs)
      decisions[service.name] = decision
      if lastDecision[service.name] != decision {
        lastDecision[service.name] = decision
        log(service.name, policy.name, decision)
      }
      switch decision {
      case .failover(let target, let reason):
        await start(service.name, policy.name, target, reason, pending: false, health)
      case .pending(let target, let reason):
        await start(service.name, policy.name, target, reason, pending: true, health)
      case .quiet, .refused:
        break
      }
    }
    return decisions
  }

  private func start(
    _ service: String, _ policy: String, _ target: String, _ reason: String, pending: Bool,
    _ health: [String: SubjectHealth]
  ) async {
    let lagBook = self.lagBook
    do {
      let outcome = try await switcher.failover(
        service: service, to: target, health: health.mapValues(\.state), reason: "policy \(policy): \(reason)",
        actor: "policy:\(policy)", pending: pending, lastKnownLoss: { await lagBook.expectedLoss($0) })
      if let f = outcome.failover {
        if pending { runner.notify(.pending, f) } else { await runner.start(f) }
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

extension AutoFailover: ServiceLifecycle.Service {
  public nonisolated func run() async throws {
    await cancelWhenGracefulShutdown { await self.loop() }
  }
}
