import CurlHTTP
import Foundation
import KafkaClient
import Logging

/// Runs a journaled failover from its first step not yet done to the end. Every step is
/// idempotent: re-running one that was interrupted (the process killed mid-step) gives
/// the same result. A step that changes the service state commits that change and its
/// completion together, fenced by the epoch the failover expects: if anything else moved
/// the epoch, the step fails and the newer epoch wins.
public struct FailoverExecutor: Sendable {
  public let topology: Topology
  public let store: StateStore
  public let http: HTTPClient
  /// Called after each committed change of a service's state (to publish discovery).
  public let publish: @Sendable (ServiceState) -> Void
  public let failpoints: Failpoints
  public let logger: Logger

  public init(
    topology: Topology, store: StateStore, http: HTTPClient, failpoints: Failpoints = Failpoints(),
    logger: Logger = Logger(label: "failover"), publish: @escaping @Sendable (ServiceState) -> Void
  ) {
    self.topology = topology
    self.store = store
    self.http = http
    self.publish = publish
    self.failpoints = failpoints
    self.logger = logger
  }

  /// The settings a service's failovers run with: its policy's action, else defaults.
  public func settings(for service: String, policies: [String: Policy]) -> FailoverSettings {
    guard let name = topology.service(service)?.policy, let p = policies[name] else { return FailoverSettings() }
    return FailoverSettings(p.action)
  }

  /// Runs `record` to its end; returns it as journaled afterwards.
  @discardableResult
  public func run(_ record: FailoverRecord, settings: FailoverSettings) async -> FailoverRecord {
    var context = StepContext(record: record)
    for step in FailoverStepName.allCases {
      guard let journaled = record.steps.first(where: { $0.seq == step.seq }) else { continue }
      if journaled.status == "done" || journaled.status == "skipped" {
        if step == .fenceSource && journaled.status == "done" { context.epoch += 1 }
        if step == .switchDiscovery && journaled.status == "done" { context.epoch += 1 }
        continue
      }
      failpoints.check("before", step)
      // Every step checks the fencing epoch before it acts: a newer epoch (an operator's
      // demote or promote meanwhile) always wins, and this failover stops.
      if let state = try? await store.serviceState(record.service), state.epoch != context.epoch {
        _ = try? await store.finishStep(
          failover: record.id, seq: step.seq, status: "failed",
          details: "superseded: the service is at epoch \(state.epoch), this failover expected \(context.epoch)")
        return await finish(record, status: "failed", error: "superseded by epoch \(state.epoch)")
      }
      var attempt = 0
      while true {
        attempt += 1
        do {
          try await store.beginStep(failover: record.id, seq: step.seq)
          try await perform(step, &context, settings: settings)
          break
        } catch {
          let message = "\(error)"
          logger.warning("failover \(record.id) step \(step.rawValue) attempt \(attempt): \(message)")
          let fatal = (error as? StoreError)?.kind == .conflict
          _ = try? await store.finishStep(failover: record.id, seq: step.seq, status: "failed", details: message)
          if fatal || attempt >= settings.attempts {
            return await finish(record, status: "failed", error: "\(step.rawValue): \(message)")
          }
          try? await Task.sleep(for: settings.retryDelay)
        }
      }
      failpoints.check("after", step)
    }
    return await finish(record, status: "succeeded", error: nil)
  }

  private func finish(_ record: FailoverRecord, status: String, error: String?) async -> FailoverRecord {
    let outcome = status == "succeeded" ? "ok" : "failed: \(error ?? "")"
    _ = try? await store.finishFailover(
      id: record.id, status: status, error: error,
      audit: AuditEntry(
        actor: record.requestedBy, action: "\(record.kind).finish", subject: record.service,
        details: "failover \(record.id) \(record.sourceCluster) -> \(record.targetCluster)", outcome: outcome))
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

  private func perform(_ step: FailoverStepName, _ c: inout StepContext, settings: FailoverSettings) async throws {
    let r = c.record
    let flow = topology.flow(from: r.sourceCluster, to: r.targetCluster)
    func done(_ details: String, _ status: String = "done") async throws {
      try await store.finishStep(failover: r.id, seq: step.seq, status: status, details: details)
    }
    switch step {
    case .intent:
      try await done("journaled; fencing epoch \(r.fromEpoch)")
    case .fenceSource:
      guard settings.fence else { return try await done("fencing off in the policy", "skipped") }
      let state = try await store.finishStep(
        failover: r.id, seq: step.seq, details: "\(r.sourceCluster) not writable (epoch \(c.epoch + 1))",
        service: r.service, expectedEpoch: c.epoch,
        change: ServiceChange(activeCluster: r.sourceCluster, state: "failing-over", writable: false))
      c.epoch = state.epoch
      publish(state)
    case .drain:
      guard r.mode == "planned" else { return try await done("unplanned: no drain", "skipped") }
      guard let flow else { return try await done("no flow \(r.sourceCluster)->\(r.targetCluster)", "skipped") }
      // A failback drains the flow home, which an earlier move may have paused.
      let resumed = r.kind == "failback" ? try await setConnectors(flow, "resume") : []
      let drained = try await drain(flow, service: r.service, timeout: settings.drainTimeout)
      try await done(([drained] + resumed).joined(separator: "; "))
    case .refreshCheckpoints:
      guard let flow else { return try await done("no flow \(r.sourceCluster)->\(r.targetCluster)", "skipped") }
      do {
        // Unplanned: the source is likely gone; do not spend long finding out.
        let stats = try await MM2Ingester(flow: flow, topology: topology, store: store).catchUp(
          timeout: r.mode == "planned" ? .seconds(10) : .seconds(3),
          sourceTimeout: r.mode == "planned" ? nil : .seconds(1))
        try await done("\(stats.checkpoints) checkpoints, \(stats.offsetSyncs) offset-syncs read")
      } catch {
        // Unplanned: the source may be gone; what was ingested before is what there is.
        guard r.mode != "planned" else { throw error }
        try await done("could not read all of \(flow.name) (\(error)); using the state stored so far")
      }
    case .translateOffsets:
      guard let flow else { return try await done("no flow: offsets not translated", "skipped") }
      let translations = try await translate(flow, r.service, mode: settings.translation, planned: r.mode == "planned")
      c.translations = translations
      let ok = translations.filter(\.isTranslated).count
      let groups = Set(translations.map(\.group)).count
      try await done("\(ok) of \(translations.count) group-partitions of \(groups) groups translated")
    case .writeOffsets:
      guard let flow else { return try await done("no flow: nothing to write", "skipped") }
      let translations: [Translation]
      if let t = c.translations {
        translations = t
      } else {
        translations = try await translate(flow, r.service, mode: settings.translation, planned: r.mode == "planned")
      }
      guard let target = topology.cluster(r.targetCluster) else { throw FailoverError("unknown cluster") }
      let planner = TranslationPlanner(flow: flow, topology: topology, store: store, service: r.service)
      let outcomes = try await OffsetApplier(target: try target.makeClient(timeout: .seconds(10)), planner: planner)
        .apply(translations)
      let failed = outcomes.filter { $0.status == .failed }
      if !failed.isEmpty {
        throw FailoverError("\(failed.count) offsets not written, first: \(failed[0].reason ?? "")")
      }
      let written = outcomes.filter { $0.status == .written }.count
      let skipped = outcomes.filter { $0.status == .skipped }
      try await done(
        "\(written) written, \(outcomes.count - written - skipped.count) already there, \(skipped.count) skipped"
          + (skipped.first.map { " (\($0.group): \($0.reason ?? ""))" } ?? ""))
    case .switchDiscovery:
      let state = try await store.finishStep(
        failover: r.id, seq: step.seq, details: "\(r.targetCluster) active (epoch \(c.epoch + 1))",
        service: r.service, expectedEpoch: c.epoch, change: ServiceChange(activeCluster: r.targetCluster))
      c.epoch = state.epoch
      publish(state)
    case .reconfigureReplication:
      try await done(try await reconfigure(r, settings.replication))
    case .verify:
      guard let state = try await store.serviceState(r.service), state.activeCluster == r.targetCluster,
        state.epoch == c.epoch, state.writable
      else { throw FailoverError("the service is not in the state this failover left it in") }
      guard let target = topology.cluster(r.targetCluster) else { throw FailoverError("unknown cluster") }
      let d = try await target.makeClient(timeout: .seconds(5)).describeCluster(timeout: .seconds(5))
      try await done("\(r.targetCluster) active at epoch \(state.epoch); \(d.brokers.count) brokers answer")
    }
  }

  private func translate(_ flow: Flow, _ service: String, mode: TranslationMode?, planned: Bool) async throws
    -> [Translation]
  {
    let planner = TranslationPlanner(flow: flow, topology: topology, store: store, service: service)
    let source = planned ? try? topology.cluster(flow.source)?.makeClient(timeout: .seconds(5)) : nil
    let target = try? topology.cluster(flow.target)?.makeClient(timeout: .seconds(5))
    return try await planner.translate(mode: mode, source: source, target: target)
  }

  /// Waits until the flow has replicated everything the source holds of the service's
  /// topics, within `timeout`. Other services on the flow may still be writing: their
  /// records are not this failover's to wait for.
  private func drain(_ flow: Flow, service: String, timeout: Duration) async throws -> String {
    guard let sourceCluster = topology.cluster(flow.source) else { throw FailoverError("unknown cluster") }
    let source = try sourceCluster.makeClient(timeout: .seconds(5))
    // The service's topics that the flow replicates (the validator checked the pattern).
    let pattern = try? Regex(flow.topicsPattern)
    let topics = Set(topology.service(service)?.topics ?? []).filter { t in
      pattern.map { (try? $0.wholeMatch(in: t)) != nil } ?? true
    }
    let partitions = try await source.describeCluster(timeout: .seconds(5)).topics.filter { topics.contains($0.name) }
      .flatMap { t in t.partitions.map { TopicPartition(t.name, $0.id) } }
    let deadline = ContinuousClock.now + timeout
    let started = ContinuousClock.now
    let ingester = try MM2Ingester(flow: flow, topology: topology, store: store)
    while true {
      _ = try? await ingester.catchUp(timeout: .seconds(5))
      // Every partition of the service's topics counts, those MM2 has not synced yet too
      // (all their records are behind): an empty sync history is not a caught-up flow.
      let histories = try await store.offsetSyncHistories(flow: flow.name)
      let highs = try await source.watermarks(for: partitions, timeout: .seconds(5))
      let behind = partitions.reduce(Int64(0)) { sum, tp in
        let high = highs[tp]?.high ?? 0
        let synced = max(histories[tp]?.newest.map { $0.upstream + 1 } ?? 0, highs[tp]?.low ?? 0)
        return sum + max(0, high - synced)
      }
      if behind == 0 {
        return "\(flow.name) caught up in \(Int((ContinuousClock.now - started) / .milliseconds(1))) ms"
      }
      guard ContinuousClock.now < deadline else {
        throw FailoverError("\(flow.name) still \(behind) records behind after the drain bound")
      }
      try await Task.sleep(for: .milliseconds(500))
    }
  }

  private func reconfigure(_ r: FailoverRecord, _ mode: Policy.Action.Replication) async throws -> String {
    guard mode != .none else { return "replication left as it is (policy)" }
    guard let flow = topology.flow(from: r.sourceCluster, to: r.targetCluster) else {
      return "no flow \(r.sourceCluster)->\(r.targetCluster)"
    }
    guard topology.connectURL(of: flow) != nil else {
      return "no Connect URL for \(flow.name): pause its connectors by hand"
    }
    var notes: [String] = []
    // A flow carries every service of its clusters: pausing it for this one would stop
    // disaster recovery for the others staying on the source (one failing over too will
    // pause it itself: a regional failure moves them all).
    let others = try await store.serviceStates().filter { s in
      s.service != r.service && s.activeCluster == flow.source && s.state == "stable"
        && topology.service(s.service)?.clusters.contains(flow.target) == true
    }.map(\.service)
    if others.isEmpty {
      notes += try await setConnectors(flow, "pause")
    } else {
      notes.append("\(flow.name) left running: it still replicates \(others.joined(separator: ", "))")
    }
    // A failback returns home: the home's flow out to the standby, paused when the
    // service left, must run again, whatever the policy says about the way out.
    if mode == .reverse || r.kind == "failback", let back = topology.flow(from: r.targetCluster, to: r.sourceCluster) {
      notes += try await setConnectors(back, "resume")
    }
    return notes.joined(separator: "; ")
  }

  /// Pauses or resumes every connector of a flow; nothing when it has no Connect URL.
  private func setConnectors(_ flow: Flow, _ verb: String) async throws -> [String] {
    guard let url = topology.connectURL(of: flow) else { return [] }
    var notes: [String] = []
    for name in [flow.connectors.source, flow.connectors.checkpoint, flow.connectors.heartbeat] {
      notes.append(try await connect(url, name, verb))
    }
    return notes
  }

  /// `PUT /connectors/NAME/pause|resume`: Connect answers 202, and the call is idempotent.
  private func connect(_ base: String, _ connector: String, _ verb: String) async throws -> String {
    let name =
      connector.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/>")))
      ?? connector
    let url = (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/connectors/\(name)/\(verb)"
    do {
      let response = try await http.put(url, body: [], timeout: .seconds(5))
      guard (200..<300).contains(response.status) || response.status == 404 else {
        throw FailoverError("\(verb) \(connector): HTTP \(response.status)")
      }
      return response.status == 404 ? "\(connector): not found" : "\(connector) \(verb)d"
    } catch let error as CurlError {
      // The Connect cluster of a failed region is often gone with it: not a reason to stop.
      return "\(connector): \(verb) not possible now (\(error))"
    }
  }
}

public struct FailoverError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
