import Foundation
import HealthProbes
import Topology

/// Promote and demote as single fenced transactions: validate against the topology and the
/// stored state, then change the active cluster, bump the epoch, journal the failover and
/// write the audit entry together. Every refusal is audited too and changes nothing else.
///
/// The choices (which standby, whose lag counts as the known loss, what a target must be)
/// are made here, not by its callers: the HTTP API and the automatic failover only pass
/// what they observed.
public struct ServiceSwitch: Sendable {
  public let topology: Topology
  public let store: any CoordinationStore
  /// This instance's MM2 state, for the plan's translations and the expected loss.
  public let mm2: StateStore
  public let kafka: any KafkaClusters

  public init(topology: Topology, store: any CoordinationStore, mm2: StateStore, kafka: any KafkaClusters) {
    self.topology = topology
    self.store = store
    self.mm2 = mm2
    self.kafka = kafka
  }

  /// Journals a failover of `service` to `request.target` (planned or forced) and returns
  /// it open, for a `FailoverExecutor` to run; with `dryRun`, the full plan instead
  /// (every group and partition with its translated offset) and nothing changes.
  public func promote(
    service name: String, _ request: PromoteRequest, actor: String, targetHealth: HealthState? = nil,
    kind: FailoverKind = .promote, pending: Bool = false, knownLoss: Int64?? = nil
  ) async throws -> SwitchOutcome {
    guard try await store.leadership().isLeader else {
      throw ControlError(.conflict, "this orchestrator is not the leader: send the request to the leader")
    }
    let details = "to=\(request.target) mode=\(request.mode.rawValue) dryRun=\(request.dryRun) reason=\(request.reason)"
    return try await audited(action: kind.rawValue, service: name, actor: actor, details: details) {
      let (service, current) = try await self.lookup(name)
      try self.checkTarget(request.target, of: service, current: current)
      var warnings: [String] = []
      switch (request.mode, targetHealth) {
      case (.planned, .unreachable?):
        throw ControlError(
          .conflict,
          "target \(request.target) is unreachable; a planned promote needs a reachable target "
            + "(use mode forced to promote it anyway)")
      case (.forced, .unreachable?):
        warnings.append("target \(request.target) is unreachable; promoted because the mode is forced")
      case (_, nil):
        warnings.append("no health known yet for \(request.target)")
      default:
        break
      }
      let source = current.activeCluster
      let flow = self.topology.flow(from: source, to: request.target)
      if flow == nil { warnings.append("no flow \(source)->\(request.target): offsets are not translated") }
      // A caller that knows the last measured lag (the source may be gone) says so: asking
      // a dead source would only wait for its timeout.
      let loss = knownLoss != nil ? knownLoss! : await self.expectedLoss(flow)
      let plan = FailoverStepName.allCases.map {
        self.describe(
          $0, source: source, target: request.target, request.mode, activeActive: service.mode == .activeActive)
      }
      if request.dryRun {
        var translations: [Translation] = []
        if let flow {
          let planner = TranslationPlanner(flow: flow, topology: self.topology, store: self.mm2, service: name)
          translations = try await planner.translate(
            source: try? self.kafka.client(source), target: try? self.kafka.client(request.target))
        }
        if service.mode == .activeActive {
          translations += try await RemoteCopyTranslation(topology: self.topology, store: self.mm2, lane: service)
            .translate(from: source, to: request.target, source: try? self.kafka.client(source))
        }
        if kind == .failback {
          translations +=
            (try? await HomeTranslation(topology: self.topology, store: self.store, mm2: self.mm2, kafka: self.kafka)
              .translate(service: service, primary: request.target, standby: source).translations) ?? []
        }
        var outcome = SwitchOutcome(
          service: name, action: kind, dryRun: true, fromCluster: source, toCluster: request.target,
          fromEpoch: current.epoch, toEpoch: current.epoch + 2, plan: plan, warnings: warnings, failover: nil,
          state: current)
        outcome.expectedLossRecords = loss
        outcome.translations = translations
        return outcome
      }
      let now = Date()
      var record = NewFailover(
        service: name, kind: kind, mode: request.mode, sourceCluster: source,
        targetCluster: request.target, status: pending ? .pending : .running, requestedBy: actor,
        reason: request.reason,
        steps: FailoverStepName.allCases.map {
          $0 == .intent
            ? FailoverStep(
              $0, status: .done, startedAt: now, finishedAt: now, details: "journaled; fencing epoch \(current.epoch)")
            : FailoverStep($0, status: .pending, attempt: 0)
        })
      record.expectedLossRecords = loss
      let failover = try await self.store.openFailover(
        record, expectedEpoch: current.epoch,
        audit: AuditEntry(actor: actor, action: kind.rawValue, subject: name, details: details, outcome: "accepted"))
      var outcome = SwitchOutcome(
        service: name, action: kind, dryRun: false, fromCluster: source, toCluster: request.target,
        fromEpoch: current.epoch, toEpoch: current.epoch + 2, plan: plan, warnings: warnings, failover: failover,
        state: current)
      outcome.expectedLossRecords = loss
      return outcome
    }
  }

  /// A planned switchover of a failed-over service back to its primary: fence the standby,
  /// wait until the reverse flow has caught up, translate, switch home. The answer lists,
  /// per partition, the records the primary holds that never reached the standby before
  /// the failover (the expected loss of that failover, now visible).
  public func failback(service name: String, dryRun: Bool, reason: String, actor: String, homeHealth: HealthState?)
    async throws -> SwitchOutcome
  {
    let (service, current) = try await lookup(name)
    guard current.activeCluster != service.primary || !current.writable else {
      throw ControlError(.conflict, "\(name) is already on its primary \(service.primary)")
    }
    guard topology.flow(from: current.activeCluster, to: service.primary) != nil else {
      throw ControlError(
        .conflict,
        "no flow \(current.activeCluster)->\(service.primary): a failback needs replication back to the primary")
    }
    var outcome = try await promote(
      service: name, PromoteRequest(target: service.primary, mode: .planned, dryRun: dryRun, reason: reason),
      actor: actor, targetHealth: homeHealth, kind: .failback)
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
    let (service, current) = try await lookup(name)
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
    if let target { chosen = target } else { chosen = try await bestStandby(service: name, health: health) }
    let active = try await store.serviceState(name)?.activeCluster ?? ""
    let flow = topology.flow(from: active, to: chosen)?.name ?? ""
    let knownLoss: Int64?? = health[active] == .unreachable ? .some(await lastKnownLoss(flow)) : nil
    return try await promote(
      service: name, PromoteRequest(target: chosen, mode: .forced, dryRun: dryRun, reason: reason), actor: actor,
      targetHealth: health[chosen], kind: .failover, pending: pending, knownLoss: knownLoss)
  }

  private func describe(
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

  /// Marks the active cluster not writable (state `failing-over`, epoch + 1): producers
  /// stop until a promote names the next active cluster.
  public func demote(service name: String, dryRun: Bool, reason: String, actor: String) async throws -> SwitchOutcome {
    let details = "dryRun=\(dryRun) reason=\(reason)"
    return try await audited(action: FailoverKind.demote.rawValue, service: name, actor: actor, details: details) {
      guard try await self.store.leadership().isLeader else {
        throw ControlError(.conflict, "this orchestrator is not the leader: send the request to the leader")
      }
      let (_, current) = try await self.lookup(name)
      guard current.writable else {
        throw ControlError(
          .conflict, "service \(name) is already demoted (epoch \(current.epoch)); promote a cluster to end it")
      }
      let plan = [
        "mark \(current.activeCluster) not writable for \(name) (epoch \(current.epoch) -> \(current.epoch + 1))"
      ]
      if dryRun {
        return SwitchOutcome(
          service: name, action: .demote, dryRun: true, fromCluster: current.activeCluster,
          toCluster: current.activeCluster, fromEpoch: current.epoch, toEpoch: current.epoch + 1, plan: plan,
          warnings: [], failover: nil, state: current)
      }
      let now = Date()
      let record = NewFailover(
        service: name, kind: .demote, mode: .planned, sourceCluster: current.activeCluster,
        targetCluster: current.activeCluster, status: .succeeded, requestedBy: actor, reason: reason,
        steps: [FailoverStep(.fenceSource, status: .done, startedAt: now, finishedAt: now, details: plan[0])])
      let (state, failover) = try await self.store.changeService(
        name, expectedEpoch: current.epoch,
        to: ServiceChange(activeCluster: current.activeCluster, state: .failingOver, writable: false),
        record: record,
        audit: AuditEntry(actor: actor, action: "demote", subject: name, details: details, outcome: "ok"))
      return SwitchOutcome(
        service: name, action: .demote, dryRun: false, fromCluster: current.activeCluster,
        toCluster: current.activeCluster, fromEpoch: current.epoch, toEpoch: state.epoch, plan: plan, warnings: [],
        failover: failover, state: state)
    }
  }

  private func lookup(_ name: String) async throws -> (Service, ServiceState) {
    guard let service = topology.service(name) else {
      let hint = suggestion(for: name, among: topology.services.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw ControlError(.notFound, "unknown service \"\(name)\"\(hint)")
    }
    guard let state = try await store.serviceState(name) else {
      throw ControlError(.notFound, "service \"\(name)\" has no stored state yet")
    }
    return (service, state)
  }

  private func checkTarget(_ target: String, of service: Service, current: ServiceState) throws {
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

  /// Runs `body`; a refusal or failure is written to the audit log before it is rethrown.
  private func audited(
    action: String, service: String, actor: String, details: String,
    _ body: () async throws -> SwitchOutcome
  ) async throws -> SwitchOutcome {
    do {
      let outcome = try await body()
      if outcome.dryRun {
        try await store.appendAudit(
          AuditEntry(actor: actor, action: action, subject: service, details: details, outcome: "dry-run"))
      }
      return outcome
    } catch let error as StoreError where error.kind == .conflict {
      let refusal = ControlError(.conflict, "another change won the race: \(error.message)")
      _ = try? await store.appendAudit(
        AuditEntry(actor: actor, action: action, subject: service, details: details, outcome: "rejected: \(refusal)"))
      throw refusal
    } catch let error as ControlError {
      _ = try? await store.appendAudit(
        AuditEntry(actor: actor, action: action, subject: service, details: details, outcome: "rejected: \(error)"))
      throw error
    } catch {
      _ = try? await store.appendAudit(
        AuditEntry(actor: actor, action: action, subject: service, details: details, outcome: "failed: \(error)"))
      throw error
    }
  }
}
