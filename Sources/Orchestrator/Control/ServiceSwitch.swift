import Foundation
import HealthProbes

/// Promote and demote as single fenced transactions: validate against the topology and the
/// stored state, then change the active cluster, bump the epoch, journal the failover and
/// write the audit entry together. Every refusal is audited too and changes nothing else.
public struct ServiceSwitch: Sendable {
  public let topology: Topology
  public let store: StateStore

  public init(topology: Topology, store: StateStore) {
    self.topology = topology
    self.store = store
  }

  public func promote(
    service name: String, _ request: PromoteRequest, actor: String, targetHealth: HealthState? = nil
  ) async throws -> SwitchOutcome {
    let details = "to=\(request.target) mode=\(request.mode.rawValue) dryRun=\(request.dryRun) reason=\(request.reason)"
    return try await audited(action: "promote", service: name, actor: actor, details: details) {
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
      let plan = [
        "check \(request.target) is a standby of \(name)",
        "switch discovery from \(current.activeCluster) to \(request.target) (epoch \(current.epoch) -> \(current.epoch + 1))",
      ]
      if request.dryRun {
        return SwitchOutcome(
          service: name, action: "promote", dryRun: true, fromCluster: current.activeCluster,
          toCluster: request.target, fromEpoch: current.epoch, toEpoch: current.epoch + 1, plan: plan,
          warnings: warnings, failover: nil, state: current)
      }
      let now = Date()
      let record = NewFailover(
        service: name, kind: "promote", mode: request.mode.rawValue, sourceCluster: current.activeCluster,
        targetCluster: request.target, status: "succeeded", requestedBy: actor, reason: request.reason,
        steps: plan.enumerated().map {
          FailoverStep(
            seq: $0.offset + 1, name: $0.offset == 0 ? "validate" : "switch-discovery", status: "done",
            startedAt: now, finishedAt: now, details: $0.element)
        })
      let (state, failover) = try await self.store.changeService(
        name, expectedEpoch: current.epoch, to: ServiceChange(activeCluster: request.target), record: record,
        audit: AuditEntry(actor: actor, action: "promote", subject: name, details: details, outcome: "ok"))
      return SwitchOutcome(
        service: name, action: "promote", dryRun: false, fromCluster: current.activeCluster, toCluster: request.target,
        fromEpoch: current.epoch, toEpoch: state.epoch, plan: plan, warnings: warnings, failover: failover, state: state
      )
    }
  }

  /// Marks the active cluster not writable (state `failing-over`, epoch + 1): producers
  /// stop until a promote names the next active cluster.
  public func demote(service name: String, dryRun: Bool, reason: String, actor: String) async throws -> SwitchOutcome {
    let details = "dryRun=\(dryRun) reason=\(reason)"
    return try await audited(action: "demote", service: name, actor: actor, details: details) {
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
          service: name, action: "demote", dryRun: true, fromCluster: current.activeCluster,
          toCluster: current.activeCluster, fromEpoch: current.epoch, toEpoch: current.epoch + 1, plan: plan,
          warnings: [], failover: nil, state: current)
      }
      let now = Date()
      let record = NewFailover(
        service: name, kind: "demote", mode: "planned", sourceCluster: current.activeCluster,
        targetCluster: current.activeCluster, status: "succeeded", requestedBy: actor, reason: reason,
        steps: [
          FailoverStep(seq: 1, name: "fence-source", status: "done", startedAt: now, finishedAt: now, details: plan[0])
        ])
      let (state, failover) = try await self.store.changeService(
        name, expectedEpoch: current.epoch,
        to: ServiceChange(activeCluster: current.activeCluster, state: "failing-over", writable: false),
        record: record,
        audit: AuditEntry(actor: actor, action: "demote", subject: name, details: details, outcome: "ok"))
      return SwitchOutcome(
        service: name, action: "demote", dryRun: false, fromCluster: current.activeCluster,
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
