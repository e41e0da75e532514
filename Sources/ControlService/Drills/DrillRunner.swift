import Foundation
import HealthProbes
import KafkaClient
import Logging
import Orchestrator
import Topology

/// DR drills: a planned switchover of a service to a standby and back, with canary clients
/// that follow discovery, measured (RPO in canary records, RTO each way, client follow time,
/// offset exactness, every step's timing) and journaled in SQLite. One drill at a time; it
/// refuses to start while anything is unhealthy, open or over budget, and comes back early
/// when a bound is broken.
public actor DrillRunner {
  let topology: Topology
  let store: any CoordinationStore
  let local: StateStore
  let health: HealthBoard
  let lagBook: LagBook
  let divergence: DivergenceBook
  let switcher: ServiceSwitch
  let kafka: any KafkaClusters
  let runner: FailoverRunner
  let policies: [String: Policy]
  let metrics: ServiceMetrics
  let webhooks: PolicyWebhooks
  let logger: Logger
  /// This server's own base URL, where the canary clients follow discovery (set once listening).
  private var servers: [String] = []
  /// A token for the canary clients when discovery needs one.
  let discoveryToken: String?
  private var current: Task<Void, Never>?

  public init(
    topology: Topology, store: any CoordinationStore, local: StateStore, health: HealthBoard, lagBook: LagBook,
    divergence: DivergenceBook, switcher: ServiceSwitch, kafka: any KafkaClusters, runner: FailoverRunner,
    policies: [String: Policy],
    metrics: ServiceMetrics, webhooks: PolicyWebhooks, discoveryToken: String?, logger: Logger
  ) {
    self.topology = topology
    self.store = store
    self.local = local
    self.health = health
    self.lagBook = lagBook
    self.divergence = divergence
    self.switcher = switcher
    self.kafka = kafka
    self.runner = runner
    self.policies = policies
    self.metrics = metrics
    self.webhooks = webhooks
    self.discoveryToken = discoveryToken
    self.logger = logger
  }

  /// The server listens at `url`: the canary clients follow discovery there.
  public func listening(_ url: String) { servers = [url] }

  /// The policy's drill settings of a service (defaults without a policy or `drill:`).
  nonisolated func settings(of service: Service) -> DrillSettings {
    service.policy.flatMap { policies[$0] }?.drill ?? DrillSettings()
  }

  /// What a drill request got: the journaled drill, or with `dryRun` the plan.
  public struct Started: Sendable, Codable {
    public let dryRun: Bool
    public let service: String
    public let fromCluster: String
    public let toCluster: String
    public let backAfterSeconds: Double
    /// The gates that are closed now (a dry run lists them; a real drill never starts with any).
    public let closedGates: [String]
    public let plan: [String]
    public let drill: DrillRecord?
  }

  /// Checks the gates and starts a drill of `name` (journaled first); a closed gate journals a
  /// refused drill and throws. With `dryRun`, says what it would do and changes nothing.
  public func start(
    service name: String, to asked: String?, backAfter: Duration?, dryRun: Bool, reason: String,
    trigger: DrillTrigger, actor: String
  ) async throws -> Started {
    let service: Service
    let settings: DrillSettings
    let target: String
    let stay: Duration
    do {
      (service, settings, target, stay) = try await checked(name, to: asked, backAfter: backAfter)
    } catch let refusal as ControlError {
      // Refused before the gates are looked at: audited as a closed gate is.
      _ = try? await store.appendAudit(
        AuditEntry(
          actor: actor, action: .drill, subject: name, details: "to=\(asked ?? "") dryRun=\(dryRun) reason=\(reason)",
          outcome: .rejected("\(refusal)")))
      throw refusal
    }
    let closed = try await gates(service, target: target, settings: settings)
    let plan = Self.plan(service, target: target, stay: stay, settings: settings)
    let details = "to=\(target) backAfter=\(DurationText.format(stay)) dryRun=\(dryRun) reason=\(reason)"
    if dryRun {
      _ = try? await store.appendAudit(
        AuditEntry(actor: actor, action: .drill, subject: name, details: details, outcome: .dryRun))
      return Started(
        dryRun: true, service: name, fromCluster: service.primary, toCluster: target,
        backAfterSeconds: Double(stay / .milliseconds(1)) / 1000, closedGates: closed, plan: plan, drill: nil)
    }
    if !closed.isEmpty {
      let refused = try await local.openDrill(
        service: name, from: service.primary, to: target, status: .refused, trigger: trigger, requestedBy: actor,
        reason: reason, backAfter: stay, refusal: closed)
      _ = try? await store.appendAudit(
        AuditEntry(
          actor: actor, action: .drill, subject: name, details: details,
          outcome: .rejected(closed.joined(separator: "; "))))
      metrics.drill(refused)
      if trigger == .schedule { notify(refused) }
      throw ControlError(.conflict, "drill \(refused.id) of \(name) refused: \(closed.joined(separator: "; "))")
    }
    var report = DrillReport()
    report.group = DrillNames.group(of: name)
    let record: DrillRecord
    do {
      record = try await local.openDrill(
        service: name, from: service.primary, to: target, status: .running, trigger: trigger, requestedBy: actor,
        reason: reason, backAfter: stay, report: report)
    } catch let error as StoreError where error.kind == .conflict {
      throw ControlError(.conflict, error.message)
    }
    _ = try? await store.appendAudit(
      AuditEntry(
        actor: actor, action: .drill, subject: name, details: details,
        outcome: AuditOutcome(.accepted, "drill \(record.id)")))
    current = Task { await self.run(record, service: service, settings: settings, stay: stay) }
    return Started(
      dryRun: false, service: name, fromCluster: service.primary, toCluster: target,
      backAfterSeconds: Double(stay / .milliseconds(1)) / 1000, closedGates: [], plan: plan, drill: record)
  }

  /// The request against the topology, the policy and the leadership: the service, its drill
  /// settings, the target and the stay.
  private func checked(_ name: String, to asked: String?, backAfter: Duration?) async throws -> (
    Service, DrillSettings, String, Duration
  ) {
    guard let service = topology.service(name) else {
      let hint = suggestion(for: name, among: topology.services.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw ControlError(.notFound, "unknown service \"\(name)\"\(hint)")
    }
    let settings = settings(of: service)
    guard let target = DrillGate.target(of: service, asked: asked, settings: settings) else {
      throw ControlError(.conflict, "\(name) has no standby to drill")
    }
    if let asked, topology.cluster(asked) == nil {
      let hint = suggestion(for: asked, among: topology.clusters.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw ControlError(.invalid, "invalid request", fields: [FieldError("to", "unknown cluster \"\(asked)\"\(hint)")])
    }
    let stay = backAfter ?? settings.backAfter
    if stay >= settings.maxDuration {
      throw ControlError(
        .conflict,
        "backAfter \(DurationText.format(stay)) is not shorter than the drill's maxDuration "
          + "\(DurationText.format(settings.maxDuration)) (policy \(service.policy ?? "none")): the drill must have time to come back"
      )
    }
    guard try await store.leadership().isLeader else {
      throw ControlError(.conflict, "this orchestrator is not the leader: send the request to the leader")
    }
    return (service, settings, target, stay)
  }

  /// Every closed gate for a drill of `service` to `target` now.
  func gates(_ service: Service, target: String, settings: DrillSettings) async throws -> [String] {
    guard let state = try await store.serviceState(service.name) else {
      return ["\(service.name) has no stored state yet"]
    }
    var healths: [String: HealthState?] = [:]
    for c in service.clusters { healths[c] = await health.health(of: c)?.state }
    let flow = topology.flow(from: service.primary, to: target)
    let policy = service.policy.flatMap { policies[$0] }
    var canary: HealthState? = nil
    if let flow, flow.canary != nil { canary = await health.health(of: flow.name, kind: .canary)?.state }
    return DrillGate.closed(
      DrillGate.Facts(
        service: service, state: state, target: target, topology: topology, health: healths,
        openFailovers: try await store.openFailovers(), runningDrill: try await local.runningDrill(),
        divergences: await divergence.all, lag: flow == nil ? nil : await lagBook.records(flow!.name),
        budget: settings.maxLagRecords ?? policy?.guards.maxLagRecords, canary: canary))
  }

  static func plan(_ service: Service, target: String, stay: Duration, settings: DrillSettings) -> [String] {
    [
      "start the canary producer and consumer (group \(DrillNames.group(of: service.name))) following "
        + "\(service.name)'s discovery, one record every \(DurationText.format(settings.interval))",
      "planned switchover \(service.primary) -> \(target) (promote): fence, drain, translate, switch",
      "measure the RTO (request to writable on \(target); bound \(DurationText.format(settings.maxRTO))) and "
        + "the client follow time (discovery's change to the canary's first record on \(target))",
      "stay on \(target) for \(DurationText.format(stay))",
      "failback \(target) -> \(service.primary), measured the same way",
      "stop producing; read until every acknowledged canary record arrived: RPO (must be 0), records read twice "
        + "(offsets exact)",
      "the whole drill within \(DurationText.format(settings.maxDuration)), else back home early and failed",
    ]
  }

  /// Waits for the running drill to end (tests, shutdown).
  public func waitForCurrent() async { await current?.value }

  // MARK: - Running

  private func run(_ record: DrillRecord, service: Service, settings: DrillSettings, stay: Duration) async {
    let started = ContinuousClock.now
    let deadline = started + settings.maxDuration
    var report = record.report
    let canary = DrillCanary(
      service: service.name, servers: servers, token: discoveryToken, drillId: record.id, interval: settings.interval,
      marks: await marks(service))
    let clients = Task { try await canary.run() }
    defer { clients.cancel() }
    // 1. The canary clients read on the home cluster and have written there.
    let ready = await waitUntil(.seconds(30)) {
      let t = canary.snapshot
      return !t.stints.isEmpty && t.consumedCount > 0
    }
    guard ready else {
      report.problems.append("the canary clients could not produce and read on \(record.fromCluster) within 30 s")
      return await end(record, canary, &report, .aborted)
    }

    // 2. Out.
    let out = await move(.out, service: service, from: record.fromCluster, to: record.toCluster, drill: record.id) {
      try await self.switcher.promote(
        service: service.name,
        PromoteRequest(target: record.toCluster, mode: .planned, reason: "drill \(record.id)"),
        actor: "drill \(record.id)", targetHealth: await self.health.health(of: record.toCluster)?.state)
    }
    report.legs.append(out.leg)
    if let problem = out.problem {
      report.problems.append(problem)
      // A planned switchover that fails rolls back: the service is home again, or says where it is.
      return await end(record, canary, &report, .aborted)
    }
    let followed = await followTime(canary, out.leg, until: min(deadline, ContinuousClock.now + settings.maxRTO))
    report.legs[0] = followed
    if followed.clientFollowMs == nil {
      report.problems.append("the canary producer did not write to \(record.toCluster) within the RTO bound")
    }
    if let rto = out.leg.rtoMs, Double(rto) > settings.maxRTO / .milliseconds(1) {
      report.problems.append("RTO out \(rto) ms is over the bound of \(DurationText.format(settings.maxRTO))")
    }
    await save(record, canary, &report, .running)

    // 3. Stay, unless a bound is already broken or the drill would run out of time.
    let reserve = settings.maxRTO * 2
    let stayUntil = min(ContinuousClock.now + stay, deadline - reserve)
    if report.problems.isEmpty {
      while ContinuousClock.now < stayUntil, !Task.isCancelled {
        try? await Task.sleep(for: min(.seconds(1), stayUntil - ContinuousClock.now))
      }
      if ContinuousClock.now + .milliseconds(1) < started + stay {
        report.problems.append("came back before backAfter: the drill's maxDuration leaves no more time")
      }
    }

    // 4. Back.
    let back = await move(.back, service: service, from: record.toCluster, to: record.fromCluster, drill: record.id) {
      try await self.switcher.failback(
        service: service.name, dryRun: false, reason: "drill \(record.id)", actor: "drill \(record.id)",
        homeHealth: await self.health.health(of: record.fromCluster)?.state)
    }
    report.legs.append(back.leg)
    if let problem = back.problem {
      report.problems.append(
        problem + "; \(service.name) is left on \(record.toCluster): failoverctl failback \(service.name)")
      return await end(record, canary, &report, .aborted)
    }
    report.legs[1] = await followTime(
      canary, back.leg, until: min(deadline, ContinuousClock.now + settings.maxRTO))
    if report.legs[1].clientFollowMs == nil {
      report.problems.append("the canary producer did not write to \(record.fromCluster) within the RTO bound")
    }
    if let rto = back.leg.rtoMs, Double(rto) > settings.maxRTO / .milliseconds(1) {
      report.problems.append("RTO back \(rto) ms is over the bound of \(DurationText.format(settings.maxRTO))")
    }

    // 5. Stop producing and read what was acknowledged.
    canary.stopProducing()
    // Every acknowledged record read, once the consumer reads at home again (a loaded
    // machine may take a while to move it): at most 60 s.
    let home = record.fromCluster
    _ = await waitUntil(.seconds(60)) {
      let t = canary.snapshot
      return t.caughtUp && t.stints.count >= 3 && t.stints.last == home
    }
    if canary.snapshot.stints.last != home {
      report.problems.append(
        "the canary consumer did not follow discovery back to \(home) within 60 s: what it would read there is not measured"
      )
    }
    let t = canary.snapshot
    if t.lost > 0 { report.problems.append("RPO broken: \(t.lost) acknowledged canary records never read") }
    for leg in report.legs where leg.rereadBeforeSwitch > 0 {
      report.problems.append(
        "offsets not exact: \(leg.rereadBeforeSwitch) canary records read before the \(leg.direction) switch were "
          + "delivered again on \(leg.toCluster)")
    }
    if ContinuousClock.now > deadline {
      report.problems.append("took longer than maxDuration \(DurationText.format(settings.maxDuration))")
    }
    let status: DrillStatus = report.problems.isEmpty ? .passed : .failed
    await end(record, canary, &report, status)
  }

  /// Writes what the canary clients measured into `report` and the journal; with a final
  /// status, ends the drill.
  @discardableResult
  private func save(_ record: DrillRecord, _ canary: DrillCanary, _ report: inout DrillReport, _ status: DrillStatus)
    async -> DrillRecord
  {
    let t = canary.snapshot
    report.topic = canary.topic
    report.acknowledged = t.acknowledgedCount
    report.consumed = t.consumedCount
    report.lost = t.lost
    report.reread = t.reread
    report.lostRecords = t.unread().map {
      "record \($0.seq) acknowledged by \($0.cluster)\($0.place.isEmpty ? "" : " (\($0.place))") at \($0.at.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))"
    }
    report.rereadRecords = t.rereadSample
    report.consumerStints = t.stintLines
    report.consumerFailures = t.consumerFailures.isEmpty ? nil : t.consumerFailureLines
    // Stint 0 is the home cluster before the drill; stint n follows the n-th switch.
    for i in report.legs.indices {
      report.legs[i].reread = t.rereadsByStint[i + 1] ?? 0
      report.legs[i].rereadBeforeSwitch = report.legs[i].writableAt.map { t.rereadBefore($0, stint: i + 1) } ?? 0
    }
    report.offsetsExact = t.lost == 0 && report.legs.allSatisfy { $0.rereadBeforeSwitch == 0 }
    try? await local.updateDrill(record.id, report: report, status: status)
    var r = record
    r.status = status
    r.report = report
    r.finishedAt = status == .running ? nil : Date()
    return r
  }

  private func end(_ record: DrillRecord, _ canary: DrillCanary, _ report: inout DrillReport, _ status: DrillStatus)
    async
  {
    let finished = await save(record, canary, &report, status)
    metrics.drill(finished)
    notify(finished)
    let problems = report.problems
    _ = try? await store.appendAudit(
      AuditEntry(
        actor: record.requestedBy, action: .drill, subject: record.service,
        details: "drill \(record.id) \(record.fromCluster)->\(record.toCluster)",
        outcome: AuditOutcome(AuditOutcome.Kind(rawValue: status.rawValue) ?? .failed, problems.joined(separator: "; "))
      ))
    let out = report.leg(.out)?.rtoMs.map(String.init) ?? "-"
    let back = report.leg(.back)?.rtoMs.map(String.init) ?? "-"
    logger.notice(
      "drill \(record.id) of \(record.service) \(status.rawValue): lost \(report.lost), reread \(report.reread), RTO out \(out) ms, back \(back) ms"
    )
  }

  /// Every cluster's ends of the partitions of the service's topics and their remote copies.
  private func marks(_ service: Service) async -> [String: [TopicPartition: Int64]] {
    var out: [String: [TopicPartition: Int64]] = [:]
    for cluster in service.clusters {
      guard let client = try? kafka.client(cluster),
        let description = try? await client.describeCluster(timeout: .seconds(5))
      else { continue }
      let partitions = description.topics.filter { t in
        service.topics.contains { t.name == $0 || t.name.hasSuffix("." + $0) }
      }.flatMap { t in t.partitions.map { TopicPartition(t.name, $0.id) } }
      if let w = try? await client.watermarks(for: partitions, timeout: .seconds(5)) {
        out[cluster] = w.mapValues(\.high)
      }
    }
    return out
  }

  /// One switch: journaled through the switch, run by the failover runner, measured from its journal.
  private func move(
    _ direction: DrillDirection, service: Service, from: String, to: String, drill: Int64,
    _ request: () async throws -> SwitchOutcome
  ) async -> (leg: DrillLeg, problem: String?) {
    var leg = DrillLeg(direction: direction, fromCluster: from, toCluster: to, requestedAt: Date())
    let failover: FailoverRecord
    do {
      guard let f = try await request().failover else { return (leg, "the \(direction) switch was not journaled") }
      failover = f
    } catch {
      return (leg, "the \(direction) switch \(from) -> \(to) was refused: \(error)")
    }
    leg.failoverId = failover.id
    await runner.start(failover)
    let finished = await finishedFailover(failover.id)
    leg.failoverStatus = finished?.status.rawValue
    leg.steps = (finished?.steps ?? []).map {
      DrillStepTiming(
        name: $0.name.rawValue, status: $0.status.rawValue, durationMs: $0.durationMs, details: $0.details)
    }
    guard let finished, finished.status == .succeeded else {
      return (
        leg,
        "the \(direction) failover \(failover.id) \(from) -> \(to) ended \(finished?.status.rawValue ?? "unknown")"
          + (finished?.error.map { ": \($0)" } ?? "")
      )
    }
    leg.writableAt = finished.steps.first { $0.name == .switchDiscovery }?.finishedAt ?? finished.finishedAt
    if let w = leg.writableAt { leg.rtoMs = Int64((w.timeIntervalSince(leg.requestedAt) * 1000).rounded()) }
    return (leg, nil)
  }

  /// The leg with its client follow time: discovery's change to the canary's first
  /// acknowledged record on the leg's target.
  private func followTime(_ canary: DrillCanary, _ leg: DrillLeg, until: ContinuousClock.Instant) async -> DrillLeg {
    var leg = leg
    guard let writable = leg.writableAt else { return leg }
    _ = await waitUntil(until - ContinuousClock.now) {
      canary.snapshot.firstAck(by: leg.toCluster, after: writable) != nil
    }
    if let first = canary.snapshot.firstAck(by: leg.toCluster, after: writable) {
      leg.firstProduceAt = first
      leg.clientFollowMs = Int64((first.timeIntervalSince(writable) * 1000).rounded())
    }
    return leg
  }

  private func finishedFailover(_ id: Int64) async -> FailoverRecord? {
    if let f = await runner.finished(id) { return f }
    // It ended before it was asked for: the journal has it.
    for _ in 0..<600 {
      if let f = try? await store.failover(id: id), f.status != .running, f.status != .pending { return f }
      try? await Task.sleep(for: .milliseconds(200))
    }
    return try? await store.failover(id: id)
  }

  private func waitUntil(_ timeout: Duration, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !Task.isCancelled {
      if await condition() { return true }
      if ContinuousClock.now >= deadline { return false }
      try? await Task.sleep(for: .milliseconds(50))
    }
    return false
  }

  /// A drill journaled as running when the service starts did not survive the restart: it
  /// is ended as aborted, and a service it left on the target is brought home.
  public func resumeUnfinished() async throws {
    guard let d = try await local.runningDrill() else { return }
    var report = d.report
    report.problems.append("the orchestrator stopped during the drill: its measurements end here")
    try await local.updateDrill(d.id, report: report, status: .aborted)
    logger.warning("drill \(d.id) of \(d.service) was running when the orchestrator stopped: ended as aborted")
    guard let state = try await store.serviceState(d.service), state.activeCluster == d.toCluster, state.writable,
      try await store.openFailovers().allSatisfy({ $0.service != d.service })
    else { return }
    do {
      let outcome = try await switcher.failback(
        service: d.service, dryRun: false, reason: "drill \(d.id) interrupted", actor: "drill \(d.id)",
        homeHealth: await health.health(of: d.fromCluster)?.state)
      if let f = outcome.failover { await runner.start(f) }
    } catch {
      logger.error("drill \(d.id): could not bring \(d.service) home: \(error); failoverctl failback \(d.service)")
    }
  }

  /// Calls the policy's webhooks that listen for `drill` with `{"event": "drill", "drill": ...}`.
  nonisolated func notify(_ d: DrillRecord) {
    webhooks.send(.drill, service: d.service, what: "drill \(d.id)", DrillWebhookBody(event: .drill, drill: d))
  }

  struct DrillWebhookBody: Encodable {
    let event: WebhookEvent
    let drill: DrillRecord
  }
}
