import Foundation
import KafkaConnect
import Logging
import Topology

/// Runs a journaled failover from its first step not yet done to the end. Every step is
/// idempotent: re-running one that was interrupted (the process killed mid-step) gives
/// the same result. A step that changes the service state commits that change and its
/// completion together, fenced by the epoch the failover expects: if anything else moved
/// the epoch, the step fails and the newer epoch wins.
///
/// Everything it touches comes in through `init` (the coordination store, the local MM2
/// state, Kafka, Connect, MM2 refresh, time), so it runs in unit tests against fakes.
public struct FailoverExecutor: Sendable {
  public let topology: Topology
  /// Shared state: service states, the journal, the audit log, leadership.
  public let store: any CoordinationStore
  /// This instance's own MM2 checkpoints and offset-syncs.
  public let mm2: StateStore
  public let kafka: any KafkaClusters
  public let connect: any ConnectControl
  public let refresh: any MM2Refresh
  public let clock: any Clock<Duration>
  /// Called after each committed change of a service's state (to publish discovery).
  public let publish: @Sendable (ServiceState) -> Void
  public let failpoints: Failpoints
  public let logger: Logger
  /// Wall time, to compare with the journal's timestamps (a test's clock moves it).
  public let now: @Sendable () -> Date
  /// How long an instance that lost touch with the shared state may still serve its last
  /// discovery document (zero with one instance): added to a lease wait.
  public let discoveryStaleness: Duration

  public init(
    topology: Topology, store: any CoordinationStore, mm2: StateStore, kafka: any KafkaClusters,
    connect: any ConnectControl, refresh: any MM2Refresh, clock: any Clock<Duration> = ContinuousClock(),
    failpoints: Failpoints = Failpoints(), logger: Logger = Logger(label: "failover"),
    now: @escaping @Sendable () -> Date = Date.init, discoveryStaleness: Duration = .zero,
    publish: @escaping @Sendable (ServiceState) -> Void
  ) {
    self.topology = topology
    self.store = store
    self.mm2 = mm2
    self.kafka = kafka
    self.connect = connect
    self.refresh = refresh
    self.clock = clock
    self.publish = publish
    self.failpoints = failpoints
    self.logger = logger
    self.now = now
    self.discoveryStaleness = discoveryStaleness
  }

  /// The settings a service's failovers run with: its policy's action, else defaults.
  public func settings(for service: String, policies: [String: Policy]) -> FailoverSettings {
    guard let name = topology.service(service)?.policy, let p = policies[name] else { return FailoverSettings() }
    return FailoverSettings(p.action)
  }

  /// Runs `record` to its end; returns it as journaled afterwards. An instance that is
  /// not (or no longer) the leader stops before its next step and writes nothing: the
  /// leader resumes the failover from the journal.
  @discardableResult
  public func run(_ record: FailoverRecord, settings: FailoverSettings) async -> FailoverRecord {
    var context = StepContext(record: record)
    for step in FailoverStepName.allCases {
      guard let journaled = record.steps.first(where: { $0.seq == step.seq }) else { continue }
      if journaled.status.isComplete {
        if step.changesEpoch && journaled.status == .done { context.epoch += 1 }
        continue
      }
      if failpoints.check(.before, step) { return (try? await store.failover(id: record.id)) ?? record }
      guard (try? await store.leadership())?.isLeader == true else {
        logger.warning("failover \(record.id): not the leader; stopping before \(step) (the leader resumes it)")
        return (try? await store.failover(id: record.id)) ?? record
      }
      // Every step checks the fencing epoch before it acts: a newer epoch (an operator's
      // demote or promote meanwhile) always wins, and this failover stops.
      if let state = try? await store.serviceState(record.service), state.epoch != context.epoch {
        _ = try? await store.finishStep(
          failover: record.id, step: step, status: .failed,
          details: "superseded: the service is at epoch \(state.epoch), this failover expected \(context.epoch)")
        return await finish(record, status: .failed, error: "superseded by epoch \(state.epoch)")
      }
      var attempt = 0
      while true {
        attempt += 1
        do {
          try await store.beginStep(failover: record.id, step: step)
          try await perform(step, &context, settings: settings)
          break
        } catch {
          let message = "\(error)"
          logger.warning("failover \(record.id) step \(step) attempt \(attempt): \(message)")
          let fatal = (error as? StoreError)?.kind == .conflict
          _ = try? await store.finishStep(failover: record.id, step: step, status: .failed, details: message)
          if fatal || attempt >= settings.attempts {
            if !fatal, Self.rollsBack(record, failedAt: step) {
              return await rollBack(record, context, error: "\(step): \(message)")
            }
            return await finish(record, status: .failed, error: "\(step): \(message)")
          }
          try? await clock.sleep(for: settings.retryDelay)
        }
      }
      if failpoints.check(.after, step) { return (try? await store.failover(id: record.id)) ?? record }
    }
    return await finish(record, status: .succeeded, error: nil)
  }

  /// A planned switchover that gives up before its clients were switched is undone by
  /// itself: left fenced, the service would have no cluster to write to, and the
  /// orchestrator would have caused the outage it exists to prevent. Unplanned failovers
  /// never roll back (the source is presumed gone); a conflict means another change won.
  static func rollsBack(_ record: FailoverRecord, failedAt step: FailoverStepName) -> Bool {
    record.mode == .planned && step.seq < FailoverStepName.switchDiscovery.seq
  }

  /// Ends the failover as rolled back and, if it fenced the source, makes the source
  /// writable again at the next epoch, journaled and audited in one transaction (fenced by
  /// the epoch: a newer change wins and nothing is restored).
  private func rollBack(_ record: FailoverRecord, _ context: StepContext, error: String) async -> FailoverRecord {
    guard (try? await store.leadership())?.isLeader == true else {
      logger.warning("failover \(record.id): not the leader; the leader decides about its rollback")
      return (try? await store.failover(id: record.id)) ?? record
    }
    let fenced = context.epoch > record.fromEpoch
    let restored =
      fenced ? "\(record.sourceCluster) writable again at epoch \(context.epoch + 1)" : "nothing was fenced"
    logger.error("failover \(record.id) of \(record.service) rolled back after \(error): \(restored)")
    let state = try? await store.finishFailover(
      id: record.id, status: .rolledBack, error: "\(error); rolled back: \(restored)",
      audit: AuditEntry(
        actor: record.requestedBy, action: .rolledBack(record.kind), subject: record.service,
        details: "failover \(record.id) \(record.sourceCluster) -> \(record.targetCluster): \(error)",
        outcome: AuditOutcome(.ok, restored)),
      restore: fenced
        ? (
          service: record.service, expectedEpoch: context.epoch,
          change: ServiceChange(activeCluster: record.sourceCluster)
        )
        : nil)
    if let state { publish(state) }
    return (try? await store.failover(id: record.id)) ?? record
  }

  private func finish(_ record: FailoverRecord, status: FailoverStatus, error: String?) async -> FailoverRecord {
    let outcome: AuditOutcome = status == .succeeded ? .ok : .failed(error ?? "")
    _ = try? await store.finishFailover(
      id: record.id, status: status, error: error,
      audit: AuditEntry(
        actor: record.requestedBy, action: .finished(record.kind), subject: record.service,
        details: "failover \(record.id) \(record.sourceCluster) -> \(record.targetCluster)", outcome: outcome),
      restore: nil)
    return (try? await store.failover(id: record.id)) ?? record
  }

  struct StepContext {
    let record: FailoverRecord
    /// The epoch the next state-changing step expects.
    var epoch: Int64
    var translations: [Translation]? = nil

    init(record: FailoverRecord) {
      self.record = record
      epoch = record.fromEpoch
    }
  }
}
