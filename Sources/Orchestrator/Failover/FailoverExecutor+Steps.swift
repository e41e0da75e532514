import Foundation
import KafkaClient
import Topology

extension FailoverExecutor {
  func perform(_ step: FailoverStepName, _ c: inout StepContext, settings: FailoverSettings) async throws {
    let r = c.record
    let flow = topology.flow(from: r.sourceCluster, to: r.targetCluster)
    func done(_ details: String, _ status: StepStatus = .done) async throws {
      try await store.finishStep(failover: r.id, step: step, status: status, details: details)
    }
    let noFlow = "no flow \(r.sourceCluster)->\(r.targetCluster)"
    // Active-active: one region's clients move; the clusters and their flows stay as
    // they are for the other regions.
    let lane = topology.service(r.service)
    let activeActive = lane?.mode == .activeActive
    switch step {
    case .intent:
      try await done("journaled; fencing epoch \(r.fromEpoch)")
    case .fenceSource:
      guard settings.fence else { return try await done("fencing off in the policy", .skipped) }
      c.epoch = try await changeState(
        r, step, "\(r.sourceCluster) not writable (epoch \(c.epoch + 1))", expected: c.epoch,
        ServiceChange(activeCluster: r.sourceCluster, state: .failingOver, writable: false))
    case .waitForLeases:
      let (details, status) = try await waitForLeases(r, settings)
      try await done(details, status)
    case .drain:
      guard r.mode == .planned else { return try await done("unplanned: no drain", .skipped) }
      guard let flow else { return try await done(noFlow, .skipped) }
      // A failback drains the flow home, which an earlier move may have paused.
      let resumed =
        r.kind == .failback ? try await setConnectors(flow, .resume) : []
      let drained = try await drain(flow, service: r.service, timeout: settings.drainTimeout, groups: settings.fence)
      try await done(([drained] + resumed).joined(separator: "; "))
    case .refreshCheckpoints:
      guard let flow else { return try await done(noFlow, .skipped) }
      var copies = ""
      if activeActive, let lane { copies = try await refreshCopies(lane, r) }
      do {
        // Unplanned: the source is likely gone; do not spend long finding out.
        let stats = try await refresh.catchUp(
          flow, timeout: r.mode == .planned ? .seconds(10) : .seconds(3),
          sourceTimeout: r.mode == .planned ? nil : .seconds(1))
        try await done("\(stats.checkpoints) checkpoints, \(stats.offsetSyncs) offset-syncs read\(copies)")
      } catch {
        // Unplanned: the source may be gone; what was ingested before is what there is.
        guard r.mode != .planned else { throw error }
        try await done("could not read all of \(flow.name) (\(error)); using the state stored so far\(copies)")
      }
    case .translateOffsets:
      guard let flow else { return try await done("no flow: offsets not translated", .skipped) }
      let translations = try await translate(flow, r, settings)
      c.translations = translations
      let ok = translations.filter(\.isTranslated).count
      let groups = Set(translations.map(\.group)).count
      // Unplanned: what the source had not replicated, for when it comes back (recovery; an
      // active-active lane's is delivered by replication, which the failover leaves running).
      let tail = r.mode != .planned ? try await journalTail(flow, r) : ""
      try await done("\(ok) of \(translations.count) group-partitions of \(groups) groups translated\(tail)")
    case .writeOffsets:
      guard let flow else { return try await done("no flow: nothing to write", .skipped) }
      let translations: [Translation]
      if let t = c.translations {
        translations = t
      } else {
        translations = try await translate(flow, r, settings)
      }
      let planner = TranslationPlanner(flow: flow, topology: topology, store: mm2, service: r.service)
      // Unplanned, by default: write what can be written and switch anyway, so that clients
      // get a cluster; a planned switchover that cannot write them all rolls back instead.
      let tolerate = r.mode != .planned && settings.onOffsetWriteFailure == .continue
      let outcomes: [OffsetApplier.Outcome]
      do {
        outcomes = try await OffsetApplier(target: try kafka.client(r.targetCluster), planner: planner)
          .apply(translations)
      } catch  where tolerate {
        return try await done(
          "no offsets written (\(error)); switching anyway (onOffsetWriteFailure: continue): every group starts "
            + "on \(r.targetCluster) from its committed offsets there, or its auto.offset.reset where it has none")
      }
      try await done(try Self.writeSummary(outcomes, tolerateFailures: tolerate))
    case .switchDiscovery:
      c.epoch = try await changeState(
        r, step, "\(r.targetCluster) active (epoch \(c.epoch + 1))", expected: c.epoch,
        ServiceChange(activeCluster: r.targetCluster))
    case .reconfigureReplication:
      guard !activeActive else {
        return try await done("active-active: replication both ways stays as it is for the other regions", .skipped)
      }
      try await done(try await reconfigure(r, settings.replication))
    case .verify:
      guard let state = try await store.serviceState(r.service), state.activeCluster == r.targetCluster,
        state.epoch == c.epoch, state.writable
      else { throw FailoverError(.stateMismatch, "the service is not in the state this failover left it in") }
      let d = try await kafka.client(r.targetCluster).describeCluster(timeout: .seconds(5))
      try await done("\(r.targetCluster) active at epoch \(state.epoch); \(d.brokers.count) brokers answer")
    }
  }

  /// Commits a change of the service state with the step's completion; returns the new epoch.
  private func changeState(
    _ r: FailoverRecord, _ step: FailoverStepName, _ details: String, expected: Int64, _ change: ServiceChange
  ) async throws -> Int64 {
    let state = try await store.finishStep(
      failover: r.id, step: step, details: details, service: r.service, expectedEpoch: expected, change: change)
    publish(state)
    return state.epoch
  }

  /// The write step's journal line; throws when any offset could not be written (a group
  /// with live members on the target is skipped and reported, not a failure), unless
  /// failures are tolerated: then every group-partition not written is listed, with what its
  /// consumers will do.
  static func writeSummary(_ outcomes: [OffsetApplier.Outcome], tolerateFailures: Bool = false) throws -> String {
    let failed = outcomes.filter { $0.status == .failed }
    if !failed.isEmpty && !tolerateFailures {
      throw FailoverError(
        .offsetsNotWritten, "\(failed.count) offsets not written, first: \(failed[0].reason ?? "")")
    }
    let written = outcomes.filter { $0.status == .written }.count
    let skipped = outcomes.filter { $0.status == .skipped }
    var line =
      "\(written) written, \(outcomes.count - written - skipped.count - failed.count) already there, "
      + "\(skipped.count) skipped" + (skipped.first.map { " (\($0.group): \($0.reason ?? ""))" } ?? "")
    if !failed.isEmpty {
      line +=
        "; \(failed.count) not written (switching anyway, onOffsetWriteFailure: continue): "
        + Self.partitionList(failed) + " — first error: \(failed[0].reason ?? "unknown")"
        + "; their consumers start from the group's committed offset on the target, or its auto.offset.reset "
        + "where it has none (latest: skip what the target holds; earliest: read it all again)"
    }
    return line
  }

  /// `group topic[0,1,2]; group2 topic[3]`: every group-partition, compactly.
  static func partitionList(_ outcomes: [OffsetApplier.Outcome]) -> String {
    var byGroupTopic: [String: [Int32]] = [:]
    for o in outcomes { byGroupTopic["\(o.group) \(o.topic)", default: []].append(o.partition) }
    return byGroupTopic.keys.sorted().map { key in
      "\(key)[\(byGroupTopic[key]!.sorted().map(String.init).joined(separator: ","))]"
    }.joined(separator: "; ")
  }

  private func translate(_ flow: Flow, _ r: FailoverRecord, _ settings: FailoverSettings) async throws
    -> [Translation]
  {
    let planner = TranslationPlanner(flow: flow, topology: topology, store: mm2, service: r.service)
    // Unplanned: the source is not asked; its last checkpoints stand for its groups.
    let source = r.mode == .planned ? try? kafka.client(flow.source) : nil
    var translations = try await planner.translate(
      mode: settings.translation, source: source, target: try? kafka.client(flow.target))
    if let lane = topology.service(r.service), lane.mode == .activeActive {
      translations += try await RemoteCopyTranslation(topology: topology, store: mm2, lane: lane).translate(
        from: r.sourceCluster, to: r.targetCluster, source: source)
    }
    // Home again: the primary's own topics, from the copies read on the standby and the
    // recovered tail (HomeTranslation).
    if r.kind == .failback, let service = topology.service(r.service) {
      translations += try await HomeTranslation(topology: topology, store: store, mm2: mm2, kafka: kafka)
        .translate(service: service, primary: r.targetCluster, standby: r.sourceCluster).translations
    }
    return translations
  }

  /// Active-active: the offset-syncs of the flows the remote copies came through (into
  /// the cluster left, and from third clusters into the target), for `RemoteCopyTranslation`.
  /// What cannot be read now (a source down) is taken as stored.
  private func refreshCopies(_ lane: Service, _ r: FailoverRecord) async throws -> String {
    let copies = RemoteCopyTranslation(topology: topology, store: mm2, lane: lane).copies(on: r.sourceCluster)
    var flows = Set(copies.map(\.flow.name))
    for (flow, _) in copies where flow.source != r.targetCluster {
      if let onward = topology.flow(from: flow.source, to: r.targetCluster) { flows.insert(onward.name) }
    }
    var notes: [String] = []
    for name in flows.sorted() {
      guard let flow = topology.flows.first(where: { $0.name == name }) else { continue }
      do {
        // Unplanned: a cluster at either end may be the dead one; what was ingested stands.
        let stats = try await refresh.catchUp(
          flow, timeout: r.mode == .planned ? .seconds(10) : .seconds(1), sourceTimeout: .seconds(1))
        notes.append("\(name): \(stats.offsetSyncs) offset-syncs")
      } catch {
        notes.append("\(name): stored state (\(error))")
      }
    }
    return notes.isEmpty ? "" : "; remote copies: " + notes.joined(separator: ", ")
  }
}
