import Foundation
import HealthProbes
import Topology

/// Promote and demote as single fenced transactions: read the stored state and the
/// leadership, let `SwitchPlanner` decide, then change the active cluster, bump the epoch,
/// journal the failover and write the audit entry together. Every refusal is audited the
/// same way and changes nothing else.
///
/// The choices (which standby, whose lag counts as the known loss, what a target must be)
/// are made by the planner, not by the callers: the HTTP API, the automatic failover and
/// the drills only pass what they observed.
public struct ServiceSwitch: Sendable {
  public let topology: Topology
  public let store: any CoordinationStore
  /// This instance's MM2 state, for the plan's translations and the expected loss.
  public let mm2: StateStore
  public let kafka: any KafkaClusters
  /// The time journaled with a failover (a test's clock in tests).
  let now: @Sendable () -> Date

  public init(
    topology: Topology, store: any CoordinationStore, mm2: StateStore, kafka: any KafkaClusters,
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.topology = topology
    self.store = store
    self.mm2 = mm2
    self.kafka = kafka
    self.now = now
  }

  /// Journals a failover of `service` to `request.target` (planned or forced) and returns
  /// it open, for a `FailoverExecutor` to run; with `dryRun`, the full plan instead
  /// (every group and partition with its translated offset) and nothing changes.
  public func promote(
    service name: String, _ request: PromoteRequest, actor: String, targetHealth: HealthState? = nil,
    kind: FailoverKind = .promote, pending: Bool = false, loss: LossBasis = .measure
  ) async throws -> SwitchOutcome {
    let details = "to=\(request.target) mode=\(request.mode.rawValue) dryRun=\(request.dryRun) reason=\(request.reason)"
    return try await audited(action: .requested(kind), service: name, actor: actor, details: details) {
      let plan = try SwitchPlanner.promote(
        name, to: request.target, mode: request.mode, kind: kind, topology: self.topology,
        state: try await self.store.serviceState(name), targetHealth: targetHealth,
        isLeader: try await self.store.leadership().isLeader)
      return try await self.commit(plan, request, actor: actor, pending: pending, loss: loss, details: details)
    }
  }

  /// Carries a plan out: measures the known loss, then a dry run's translations, or the
  /// journaled failover with its fencing epoch.
  private func commit(
    _ plan: SwitchPlan, _ request: PromoteRequest, actor: String, pending: Bool, loss basis: LossBasis,
    details: String
  ) async throws -> SwitchOutcome {
    let (service, current, source, kind) = (plan.service, plan.current, plan.source, plan.kind)
    let loss: Int64? =
      switch basis {
      case .lastKnown(let known): known
      case .measure: await expectedLoss(plan.flow)
      }
    var outcome = SwitchOutcome(
      service: service.name, action: kind, dryRun: request.dryRun, fromCluster: source, toCluster: plan.target,
      fromEpoch: current.epoch, toEpoch: current.epoch + 2, plan: plan.steps, warnings: plan.warnings, failover: nil,
      state: current)
    outcome.expectedLossRecords = loss
    if request.dryRun {
      outcome.translations = try await translations(plan)
      return outcome
    }
    let now = self.now()
    var record = NewFailover(
      service: service.name, kind: kind, mode: request.mode, sourceCluster: source, targetCluster: plan.target,
      status: pending ? .pending : .running, requestedBy: actor, reason: request.reason,
      steps: FailoverStepName.allCases.map {
        $0 == .intent
          ? FailoverStep(
            $0, status: .done, startedAt: now, finishedAt: now, details: "journaled; fencing epoch \(current.epoch)")
          : FailoverStep($0, status: .pending, attempt: 0)
      })
    record.expectedLossRecords = loss
    let failover = try await store.openFailover(
      record, expectedEpoch: current.epoch,
      audit: AuditEntry(
        actor: actor, action: .requested(kind), subject: service.name, details: details, outcome: .accepted))
    return SwitchOutcome(
      service: service.name, action: kind, dryRun: false, fromCluster: source, toCluster: plan.target,
      fromEpoch: current.epoch, toEpoch: current.epoch + 2, plan: plan.steps, warnings: plan.warnings,
      failover: failover, state: current, expectedLossRecords: loss)
  }

  /// A dry run's translations: every group and partition with its translated offset.
  private func translations(_ plan: SwitchPlan) async throws -> [Translation] {
    let (service, source, target) = (plan.service, plan.source, plan.target)
    var translations: [Translation] = []
    if let flow = plan.flow {
      let planner = TranslationPlanner(flow: flow, topology: topology, store: mm2, service: service.name)
      translations = try await planner.translate(source: try? kafka.client(source), target: try? kafka.client(target))
    }
    if service.mode == .activeActive {
      translations += try await RemoteCopyTranslation(topology: topology, store: mm2, lane: service)
        .translate(from: source, to: target, source: try? kafka.client(source))
    }
    if plan.kind == .failback {
      translations +=
        (try? await HomeTranslation(topology: topology, store: store, mm2: mm2, kafka: kafka)
          .translate(service: service, primary: target, standby: source).translations) ?? []
    }
    return translations
  }

  /// A planned switchover of a failed-over service back to its primary: fence the standby,
  /// wait until the reverse flow has caught up, translate, switch home. The answer lists,
  /// per partition, the records the primary holds that never reached the standby before
  /// the failover (the expected loss of that failover, now visible).
  public func failback(service name: String, dryRun: Bool, reason: String, actor: String, homeHealth: HealthState?)
    async throws -> SwitchOutcome
  {
    let primary = topology.service(name)?.primary ?? ""
    let request = PromoteRequest(target: primary, mode: .planned, dryRun: dryRun, reason: reason)
    let details = "to=\(primary) mode=planned dryRun=\(dryRun) reason=\(reason)"
    var outcome = try await audited(
      action: .requested(.failback), service: name, actor: actor, details: details
    ) {
      let plan = try SwitchPlanner.failback(
        name, topology: self.topology, state: try await self.store.serviceState(name), homeHealth: homeHealth,
        isLeader: try await self.store.leadership().isLeader)
      return try await self.commit(plan, request, actor: actor, pending: false, loss: .measure, details: details)
    }
    // The planner found the service: a topology without it refused above.
    guard let service = topology.service(name) else { return outcome }
    let current = outcome.state
    // The tail the unplanned failover left on the primary, measured (the primary answers:
    // a failback needs it). Without a recovery of it, its records are read late on the
    // primary, after what the consumers read on the standby: the plan says so.
    let finder = DivergenceFinder(topology: topology, store: store, mm2: mm2, kafka: kafka)
    if let d = try? await finder.measure(service: name) {
      outcome.divergence = d
      outcome.unreplicated = d.partitions.filter { $0.records > 0 }.map {
        FlowLag.Partition(
          topic: $0.topic, partition: $0.partition, sourceHighWatermark: $0.tailEnd, newestSyncUpstream: nil,
          recordsBehind: $0.records, sourceLogStart: nil)
      }
      outcome.failbackNotes =
        (try? await HomeTranslation(topology: topology, store: store, mm2: mm2, kafka: kafka)
          .translate(service: service, primary: service.primary, standby: current.activeCluster).notes) ?? []
      if d.records > 0, d.recoveryId == nil {
        outcome.warnings.append(
          "\(d.records) records on \(d.oldPrimary) never reached \(d.active) before failover \(d.failoverId) and were "
            + "not recovered: after the failback, \(name)'s consumers read them on \(d.oldPrimary), late and after what "
            + "they read on \(d.active) (failoverctl recover \(name) first copies them to \(d.active))")
      }
    } else if let flow = topology.flow(from: service.primary, to: current.activeCluster),
      let home = try? kafka.client(service.primary),
      let lag = try? await FlowLag.measure(flow: flow, store: mm2, source: home)
    {
      // A planned move left no tail of its own: what the flow had not replicated.
      outcome.unreplicated = lag.partitions.filter { ($0.recordsBehind ?? 0) > 0 && service.topics.contains($0.topic) }
    }
    return outcome
  }

  /// The best cluster to fail `service` over to: a healthy one first, then degraded, then
  /// not yet probed; never an unreachable one; ties in the order of `standbys`.
  public func bestStandby(service name: String, health: [String: HealthState]) async throws -> String {
    let (service, current) = try SwitchPlanner.lookup(name, topology, try await store.serviceState(name))
    return try Self.bestStandby(of: service, active: current.activeCluster, health: health)
  }

  /// The choice itself, pure: unit-tested without a store.
  static func bestStandby(of service: Service, active: String, health: [String: HealthState]) throws -> String {
    let name = service.name
    func rank(_ c: String) -> Int {
      switch health[c] {
      case .healthy?: 0
      case .degraded?: 1
      case nil: 2
      case .unreachable?: 3
      }
    }
    let candidates = service.clusters.filter { $0 != active }
    guard let best = candidates.enumerated().min(by: { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }),
      rank(best.element) < 3
    else {
      throw ControlError(
        .conflict, "no reachable standby for \(name) (clusters: \(candidates.joined(separator: ", ")))")
    }
    return best.element
  }

  /// Records the flow is behind now, when the source still answers.
  func expectedLoss(_ flow: Flow?) async -> Int64? {
    guard let flow, let source = try? kafka.client(flow.source) else { return nil }
    return try? await FlowLag.measure(flow: flow, store: mm2, source: source).recordsBehind
  }

  /// An unplanned failover of `service` now (no drain), to `target` or else the best
  /// standby by `health`. A source judged unreachable is not asked for its lag (that
  /// would only wait for its timeout): `lastKnownLoss` of the flow stands for it.
  public func failover(
    service name: String, to target: String?, health: [String: HealthState], dryRun: Bool = false,
    reason: String, actor: String, pending: Bool = false, lastKnownLoss: (_ flow: String) async -> Int64?
  ) async throws -> SwitchOutcome {
    let chosen: String
    do {
      if let target { chosen = target } else { chosen = try await bestStandby(service: name, health: health) }
    } catch let refusal as ControlError {
      // Refused before a target exists: audited as the promote's refusals are.
      _ = try? await store.appendAudit(
        AuditEntry(
          actor: actor, action: .requested(.failover), subject: name,
          details: "to=(best standby) mode=forced dryRun=\(dryRun) reason=\(reason)", outcome: .rejected("\(refusal)")))
      throw refusal
    }
    let active = try await store.serviceState(name)?.activeCluster ?? ""
    let flow = topology.flow(from: active, to: chosen)?.name ?? ""
    let loss = SwitchPlanner.lossBasis(sourceHealth: health[active], lastKnown: await lastKnownLoss(flow))
    return try await promote(
      service: name, PromoteRequest(target: chosen, mode: .forced, dryRun: dryRun, reason: reason), actor: actor,
      targetHealth: health[chosen], kind: .failover, pending: pending, loss: loss)
  }

  /// Marks the active cluster not writable (state `failing-over`, epoch + 1): producers
  /// stop until a promote names the next active cluster.
  public func demote(service name: String, dryRun: Bool, reason: String, actor: String) async throws -> SwitchOutcome {
    let details = "dryRun=\(dryRun) reason=\(reason)"
    return try await audited(action: .requested(.demote), service: name, actor: actor, details: details) {
      let (_, current) = try SwitchPlanner.demote(
        name, topology: self.topology, state: try await self.store.serviceState(name),
        isLeader: try await self.store.leadership().isLeader)
      let plan = [
        "mark \(current.activeCluster) not writable for \(name) (epoch \(current.epoch) -> \(current.epoch + 1))"
      ]
      if dryRun {
        return SwitchOutcome(
          service: name, action: .demote, dryRun: true, fromCluster: current.activeCluster,
          toCluster: current.activeCluster, fromEpoch: current.epoch, toEpoch: current.epoch + 1, plan: plan,
          warnings: [], failover: nil, state: current)
      }
      let now = self.now()
      let record = NewFailover(
        service: name, kind: .demote, mode: .planned, sourceCluster: current.activeCluster,
        targetCluster: current.activeCluster, status: .succeeded, requestedBy: actor, reason: reason,
        steps: [FailoverStep(.fenceSource, status: .done, startedAt: now, finishedAt: now, details: plan[0])])
      let (state, failover) = try await self.store.changeService(
        name, expectedEpoch: current.epoch,
        to: ServiceChange(activeCluster: current.activeCluster, state: .failingOver, writable: false),
        record: record,
        audit: AuditEntry(actor: actor, action: .requested(.demote), subject: name, details: details, outcome: .ok))
      return SwitchOutcome(
        service: name, action: .demote, dryRun: false, fromCluster: current.activeCluster,
        toCluster: current.activeCluster, fromEpoch: current.epoch, toEpoch: state.epoch, plan: plan, warnings: [],
        failover: failover, state: state)
    }
  }

  /// Runs `body`; a refusal or failure is written to the audit log before it is rethrown.
  private func audited(
    action: AuditAction, service: String, actor: String, details: String,
    _ body: () async throws -> SwitchOutcome
  ) async throws -> SwitchOutcome {
    do {
      let outcome = try await body()
      if outcome.dryRun {
        try await store.appendAudit(
          AuditEntry(actor: actor, action: action, subject: service, details: details, outcome: .dryRun))
      }
      return outcome
    } catch let error as StoreError where error.kind == .conflict {
      let refusal = ControlError(.conflict, "another change won the race: \(error.message)")
      _ = try? await store.appendAudit(
        AuditEntry(actor: actor, action: action, subject: service, details: details, outcome: .rejected("\(refusal)")))
      throw refusal
    } catch let error as ControlError {
      _ = try? await store.appendAudit(
        AuditEntry(actor: actor, action: action, subject: service, details: details, outcome: .rejected("\(error)")))
      throw error
    } catch {
      _ = try? await store.appendAudit(
        AuditEntry(actor: actor, action: action, subject: service, details: details, outcome: .failed("\(error)")))
      throw error
    }
  }
}
