import Foundation
import KafkaClient
import KafkaConnect
import Logging
import Orchestrator
import Topology

/// Runs journaled recoveries in the background of the service, one task per recovery, and
/// resumes the ones a stopped server left running.
public actor RecoveryRunner {
  let topology: Topology
  let local: StateStore
  let store: any CoordinationStore
  let kafka: any KafkaClusters
  let connect: any ConnectControl
  let failpoints: Failpoints
  let logger: Logger
  private var running: [Int64: Task<RecoveryRecord, Never>] = [:]

  init(
    topology: Topology, local: StateStore, store: any CoordinationStore, kafka: any KafkaClusters,
    connect: any ConnectControl, failpoints: Failpoints, logger: Logger
  ) {
    self.connect = connect
    self.topology = topology
    self.local = local
    self.store = store
    self.kafka = kafka
    self.failpoints = failpoints
    self.logger = logger
  }

  /// Starts `record` unless it already runs here.
  public func start(_ record: RecoveryRecord) throws {
    guard running[record.id] == nil else { return }
    var recoverer = Recoverer(
      store: local, coordination: store, source: try kafka.client(record.sourceCluster),
      target: try Self.idempotentClient(topology, record.targetCluster), logger: logger)
    let failpoints = self.failpoints
    recoverer.afterProduce = { if failpoints.check(named: "after:recovery-batch") { throw RecoveryError("halted") } }
    let (topology, store, connect) = (self.topology, self.store, self.connect)
    recoverer.afterCopy = { r in
      await Self.skipRecoveredTail(r, topology: topology, store: store, connect: connect)
    }
    running[record.id] = Task {
      let finished = await recoverer.run(record)
      self.done(record.id)
      return finished
    }
  }

  /// Starts (or resumes) the recovery of the tail `service`'s last unplanned failover left
  /// behind; with `dryRun`, only its plan. Refused (ControlError) while a failover of the
  /// service is open, when there is no tail, when it was recovered already, or while the
  /// old primary does not answer.
  public func begin(
    _ service: Service, into: RecoveryTarget, quarantine: String, dryRun: Bool, reason: String, actor: String
  ) async throws -> (plan: RecoveryPlanView?, record: RecoveryRecord?) {
    guard try await store.leadership().isLeader else {
      throw ControlError(.conflict, "this orchestrator is not the leader: send the request to the leader")
    }
    if service.mode == .activeActive {
      throw ControlError(
        .conflict,
        "\(service.name) is a lane of an active-active service: its failover left replication from the old home "
          + "running, and MM2 copies the tail to every peer as the old home answers (GET /v1/services/"
          + "\(service.name)/divergence shows it draining); copying it too would deliver it twice")
    }
    if let open = try await store.openFailovers().first(where: { $0.service == service.name }) {
      throw ControlError(.conflict, "failover \(open.id) of \(service.name) is \(open.status): recover after it")
    }
    let finder = DivergenceFinder(topology: topology, store: store, mm2: local, kafka: kafka)
    guard let failover = try await finder.failover(of: service.name) else {
      throw ControlError(.conflict, "no unplanned failover left \(service.name) with a tail to recover")
    }
    let previous = try await local.recoveries(service: service.name).filter { $0.failoverId == failover.id }
    if let done = previous.first(where: { $0.status == .succeeded }) {
      throw ControlError(
        .conflict, "recovery \(done.id) already copied the tail of failover \(failover.id) (\(done.copied) records)")
    }
    if let failed = previous.first(where: { $0.status == .failed }), !dryRun {
      try await local.reopenRecovery(failed.id)
      let reopened = try await local.recovery(id: failed.id) ?? failed
      try await audit(reopened, into: into, reason: reason, actor: actor)
      try start(reopened)
      return (nil, reopened)
    }
    if let running = previous.first(where: { $0.status == .running }) {
      throw ControlError(.conflict, "recovery \(running.id) of \(service.name) is running")
    }
    guard let d = try await finder.measure(service: service.name), d.oldPrimaryAnswers else {
      throw ControlError(.conflict, "\(failover.sourceCluster) does not answer: the tail can be recovered once it does")
    }
    var partitions = try await plan(d, into: into, quarantine: quarantine, create: !dryRun)
    if !dryRun { partitions = try await marked(partitions, service.name, on: d.active, since: failover.createdAt) }
    if dryRun {
      return (
        RecoveryPlanView(
          service: service.name, failoverId: failover.id, from: d.oldPrimary, to: d.active, into: into,
          records: partitions.map { $0.tailEnd - $0.tailStart }.reduce(0, +), partitions: partitions), nil
      )
    }
    let record = try await local.openRecovery(
      service: service.name, failoverId: failover.id, sourceCluster: d.oldPrimary, targetCluster: d.active,
      into: into, requestedBy: actor, reason: reason, partitions: partitions)
    try await audit(record, into: into, reason: reason, actor: actor)
    try start(record)
    return (nil, record)
  }

  /// The shared audit log's entry, written before anything is copied, with where each
  /// destination ended then (`RecoveryMarks`).
  private func audit(_ record: RecoveryRecord, into: RecoveryTarget, reason: String, actor: String) async throws {
    var marks: [TopicPartition: Int64] = [:]
    for p in record.partitions {
      if let m = p.destMark { marks[TopicPartition(p.destTopic, p.destPartition)] = m }
    }
    _ = try await store.appendAudit(
      AuditEntry(
        actor: actor, action: .recover, subject: record.service,
        details: "into=\(into.rawValue) recovery=\(record.id) \(RecoveryMarks.encode(marks)) reason=\(reason)",
        outcome: .accepted))
  }

  /// Each partition with the destination's end before anything is copied as its mark, as a
  /// resumed recovery reads it; when the shared audit log holds a recovery of this tail that
  /// another instance began (coordinated: a leader gone with its journal), its older marks:
  /// the copies it made are found by their origin headers and none is written twice.
  private func marked(_ partitions: [RecoveryPartition], _ service: String, on cluster: String, since: Date)
    async throws -> [RecoveryPartition]
  {
    let dests = partitions.map { TopicPartition($0.destTopic, $0.destPartition) }
    let ends = try await kafka.client(cluster).watermarks(for: dests, timeout: .seconds(10))
    var earlier: [TopicPartition: Int64] = [:]
    for entry in try await store.auditLog(limit: 1000, before: nil)
    where entry.action == .recover && entry.subject == service && entry.at >= since && entry.outcome == .accepted {
      earlier.merge(RecoveryMarks.parse(entry.details)) { min($0, $1) }
    }
    return zip(partitions, dests).map { p, dest in
      var p = p
      p.destMark = earlier[dest] ?? ends[dest]?.high ?? 0
      return p
    }
  }

  /// The recovery's partitions; a quarantine topic missing on the active cluster is
  /// created (with as many partitions as the source topic) when `create`.
  private func plan(_ d: Divergence, into: RecoveryTarget, quarantine: String, create: Bool) async throws
    -> [RecoveryPartition]
  {
    let active = try kafka.client(d.active)
    var counts: [String: Int32] = [:]
    for t in try await active.describeCluster(timeout: .seconds(5)).topics where t.error == nil {
      counts[t.name] = Int32(t.partitions.count)
    }
    if into == .quarantine, create {
      let source = try await kafka.client(d.oldPrimary).describeCluster(timeout: .seconds(5))
      var missing: [(name: String, partitions: Int32)] = []
      for topic in Set(d.partitions.map(\.topic)) {
        let name = RecoveryPlanner.destination(topic, into: .quarantine, quarantine: quarantine)
        if counts[name] == nil {
          missing.append((name, Int32(source.topic(topic)?.partitions.count ?? 1)))
        }
      }
      if !missing.isEmpty, let cluster = topology.cluster(d.active) {
        do {
          try await cluster.makeClient(timeout: .seconds(10)).createTopics(missing)
        } catch {
          throw ControlError(
            .conflict, "cannot create \(missing.map(\.name).joined(separator: ", ")) on \(d.active): \(error)")
        }
        for m in missing { counts[m.name] = m.partitions }
      }
    }
    do {
      return try RecoveryPlanner.plan(d, into: into, quarantine: quarantine, destinationPartitions: counts)
    } catch let e as RecoveryError {
      throw ControlError(.conflict, e.description)
    }
  }

  /// Resumes every recovery the journal says is running.
  public func resumeUnfinished() async throws {
    for record in try await local.recoveries(limit: 1000) where record.status == .running {
      logger.notice("resuming recovery \(record.id) of \(record.service): \(record.copied) of \(record.records) copied")
      try start(record)
    }
  }

  private func done(_ id: Int64) { running[id] = nil }

  /// The end of a recovery running here; nil when none runs with that id.
  public func finished(_ id: Int64) async -> RecoveryRecord? { await running[id]?.value }

  /// A producer of the active cluster that retries without duplicating (librdkafka's
  /// idempotent producer): a recovery's copies are written once.
  static func idempotentClient(_ topology: Topology, _ cluster: String) throws -> KafkaClient {
    guard let c = topology.cluster(cluster) else { throw RecoveryError("no cluster \(cluster) in the topology") }
    var props = try c.clientProperties()
    props["enable.idempotence"] = "true"
    return try KafkaClient(properties: props, defaultTimeout: .seconds(30))
  }
}

/// A recovery's plan, answered for a dry run: what would be copied where.
public struct RecoveryPlanView: Codable, Sendable {
  public let service: String
  public let failoverId: Int64
  public let from: String
  public let to: String
  public let into: RecoveryTarget
  public let records: Int64
  public let partitions: [RecoveryPartition]
}
