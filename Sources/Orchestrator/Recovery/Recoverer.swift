import Foundation
import KafkaClient
import Logging
import MM2
import Topology

/// Copies a journaled recovery's tail from the old primary to the active cluster, batch by
/// batch, each record with its key, value, headers and timestamp and the origin headers
/// (`OriginHeader`), and never one twice:
///
/// - before a batch, the destination's end is journaled (`destMark`); after the batch is
///   acknowledged, how far the copy got (`next`);
/// - a recovery resumed after a kill reads the destination from `destMark` to its end and
///   takes the records whose origin headers name this source partition: those were written
///   and not yet journaled, so the copy goes on after the newest of them;
/// - the producer is idempotent (`enable.idempotence`), so a retried request inside a batch
///   is not written twice either.
/// Only this recovery writes records with its origin headers (one runs per service at a
/// time), which is what makes the destination the proof of what was copied.
public struct Recoverer: Sendable {
  public let store: StateStore
  public let coordination: any CoordinationStore
  public let source: any KafkaOperations
  public let target: any KafkaOperations
  public var batchSize = 500
  /// Test hook between a batch's acknowledgement and its journal entry (a kill there).
  public var afterProduce: @Sendable () throws -> Void = {}
  /// Once every partition is copied, before the recovery is finished: tells the flow from
  /// the old primary to go on after the tail (else, resumed, it copies the tail a second
  /// time); returns what became of it, journaled with the recovery. Run again on a resume.
  public var afterCopy: (@Sendable (RecoveryRecord) async -> String)? = nil
  public let logger: Logger

  public init(
    store: StateStore, coordination: any CoordinationStore, source: any KafkaOperations, target: any KafkaOperations,
    logger: Logger = Logger(label: "recovery")
  ) {
    self.store = store
    self.coordination = coordination
    self.source = source
    self.target = target
    self.logger = logger
  }

  /// Runs the recovery to its end; returns it as journaled afterwards.
  @discardableResult
  public func run(_ record: RecoveryRecord) async -> RecoveryRecord {
    do {
      for p in record.partitions where !p.isDone {
        try await copy(record.id, origin: record.sourceCluster, p)
      }
      var done = try await store.recovery(id: record.id) ?? record
      if let afterCopy {
        let note = await afterCopy(done)
        try await store.noteRecoveryReplication(record.id, note)
        done.replication = note
      }
      try await store.finishRecovery(record.id, status: .succeeded, error: nil)
      _ = try? await coordination.appendAudit(
        AuditEntry(
          actor: record.requestedBy, action: .recoverFinish, subject: record.service,
          details: "recovery \(record.id): \(done.copied) records \(record.sourceCluster) -> \(record.targetCluster)",
          outcome: .ok))
    } catch {
      logger.error("recovery \(record.id) of \(record.service) stopped: \(error)")
      _ = try? await store.finishRecovery(record.id, status: .failed, error: "\(error)")
      _ = try? await coordination.appendAudit(
        AuditEntry(
          actor: record.requestedBy, action: .recoverFinish, subject: record.service,
          details: "recovery \(record.id)", outcome: .failed("\(error)")))
    }
    return (try? await store.recovery(id: record.id)) ?? record
  }

  private func copy(_ id: Int64, origin: String, _ start: RecoveryPartition) async throws {
    var p = start
    let from = TopicPartition(p.topic, p.partition)
    let dest = TopicPartition(p.destTopic, p.destPartition)
    if let mark = p.destMark { p = try await resume(id, origin: origin, p, mark: mark) }
    while p.next < p.tailEnd {
      // Fencing: a deposed leader copies nothing more; the leader resumes from the journal.
      guard try await coordination.leadership().isLeader else {
        throw RecoveryError("this orchestrator is no longer the leader: the leader resumes recovery \(id)")
      }
      let end = try await target.watermarks(for: [dest], timeout: .seconds(10))[dest]?.high ?? 0
      try await store.markRecoveryBatch(id, topic: p.topic, partition: p.partition, destMark: end)
      let records = try await source.read(
        from, from: p.next, until: min(p.tailEnd, p.next + Int64(batchSize)), maxRecords: batchSize,
        timeout: .seconds(30))
      guard let last = records.last else {
        // Nothing readable: retention took it (go on from the log start), or what is left
        // are control records or compacted gaps (the tail is done).
        let low = try await source.watermarks(for: [from], timeout: .seconds(10))[from]?.low ?? p.tailEnd
        p.next = low > p.next ? min(low, p.tailEnd) : p.tailEnd
        try await store.advanceRecovery(
          id, topic: p.topic, partition: p.partition, next: p.next, copied: 0, destFirst: nil, destLast: nil)
        continue
      }
      let copies = records.map { r in
        ProducerRecord(
          topic: dest.topic, partition: dest.partition, key: r.key, value: r.value, timestamp: r.timestamp,
          headers: r.headers.filter { !$0.key.hasPrefix("failoverctl.origin.") } + Self.origin(origin, r))
      }
      let reports = try await target.produce(copies, timeout: .seconds(30))
      try afterProduce()
      p.next = last.offset + 1
      p.copied += Int64(records.count)
      try await store.advanceRecovery(
        id, topic: p.topic, partition: p.partition, next: p.next, copied: Int64(records.count),
        destFirst: reports.first?.offset, destLast: reports.last?.offset)
    }
  }

  /// After a kill: the records this partition's copy wrote after `mark` and did not
  /// journal are found by their origin headers; the copy goes on after the newest.
  private func resume(_ id: Int64, origin: String, _ p: RecoveryPartition, mark: Int64) async throws
    -> RecoveryPartition
  {
    var p = p
    let dest = TopicPartition(p.destTopic, p.destPartition)
    let end = try await target.watermarks(for: [dest], timeout: .seconds(10))[dest]?.high ?? mark
    guard end > mark else { return p }
    let written = try await target.read(dest, from: mark, until: end, maxRecords: Int.max, timeout: .seconds(60))
    let mine = written.compactMap { r in
      Self.originOffset(r, cluster: origin, topic: p.topic, partition: p.partition).map { (r, $0) }
    }
    .filter { $0.1 >= p.next }
    guard let newest = mine.map(\.1).max() else { return p }
    p.next = newest + 1
    p.copied += Int64(mine.count)
    try await store.advanceRecovery(
      id, topic: p.topic, partition: p.partition, next: p.next, copied: Int64(mine.count),
      destFirst: mine.first?.0.offset, destLast: mine.last?.0.offset)
    logger.notice("recovery \(id): \(mine.count) records of \(p.topic)[\(p.partition)] found copied before a restart")
    return p
  }

  static func origin(_ cluster: String, _ r: ConsumedRecord) -> [KafkaHeader] {
    [
      KafkaHeader(key: OriginHeader.cluster, value: Array(cluster.utf8)),
      KafkaHeader(key: OriginHeader.topic, value: Array(r.topic.utf8)),
      KafkaHeader(key: OriginHeader.partition, value: Array(String(r.partition).utf8)),
      KafkaHeader(key: OriginHeader.offset, value: Array(String(r.offset).utf8)),
    ]
  }

  /// The origin offset of a recovered copy of `cluster`'s `topic`[`partition`], else nil.
  public static func originOffset(_ r: ConsumedRecord, cluster: String, topic: String, partition: Int32) -> Int64? {
    func header(_ key: String) -> String? {
      r.headers.last { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
    guard header(OriginHeader.cluster) == cluster, header(OriginHeader.topic) == topic,
      header(OriginHeader.partition) == String(partition)
    else { return nil }
    return header(OriginHeader.offset).flatMap { Int64($0) }
  }
}

public struct RecoveryError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
