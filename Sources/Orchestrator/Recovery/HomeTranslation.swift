import Foundation
import KafkaClient
import Topology

/// A failback's positions on the primary's own topics. On the standby, the service's
/// groups read the primary's records from two places: the copy MM2 made before the
/// failover (`east.orders` on west) and, after a recovery into the active topic, the tail
/// itself (in west's `orders`, with origin headers). Each group's position on the
/// primary's `orders` comes from both:
/// - the copy's committed offset, read backwards along the flow that made it (exact at the
///   copy's end: the tail starts right after its last record, as measured);
/// - once the whole copy was read, the recovered copies the group consumed: it resumes
///   after the newest of them, so nothing it read on the standby comes again.
/// A group still inside the copy resumes there (what it read of the recovered tail comes
/// again: the position is one offset, and skipping would lose the unread copies). Without a
/// recovery, a group that read the whole copy resumes at the tail's start: it reads the
/// tail late, on the primary.
public struct HomeTranslation: Sendable {
  public let topology: Topology
  public let store: any CoordinationStore
  public let mm2: StateStore
  public let kafka: any KafkaClusters

  public init(topology: Topology, store: any CoordinationStore, mm2: StateStore, kafka: any KafkaClusters) {
    self.topology = topology
    self.store = store
    self.mm2 = mm2
    self.kafka = kafka
  }

  public struct Result: Sendable {
    public var translations: [Translation] = []
    /// Per partition of the primary: which of its records the consumers see again, and why.
    public var notes: [String] = []
  }

  /// - Parameters: `primary` the cluster the service goes home to; `standby` the one it leaves.
  public func translate(service: Service, primary: String, standby: String) async throws -> Result {
    guard service.mode == .activePassive, let out = topology.flow(from: primary, to: standby) else { return Result() }
    let client = try kafka.client(standby)
    let finder = DivergenceFinder(topology: topology, store: store, mm2: mm2, kafka: kafka)
    let divergence = try? await finder.measure(service: service.name)
    let tails = Dictionary(
      (divergence?.partitions ?? []).map { (TopicPartition($0.topic, $0.partition), $0) },
      uniquingKeysWith: { a, _ in a })
    // The recovery stands on its own journal: a measurement that fails now must not hide it.
    var recovered: [TopicPartition: RecoveryPartition] = [:]
    if let failover = try await finder.failover(of: service.name),
      let r = try await mm2.recoveries(service: service.name).first(where: { $0.failoverId == failover.id }),
      r.into == .active
    {
      for p in r.partitions { recovered[TopicPartition(p.topic, p.partition)] = p }
    }
    let histories = try await mm2.offsetSyncHistories(flow: out.name)
    let described = try await client.describeCluster(timeout: .seconds(5))
    var result = Result()
    for topic in service.topics {
      let copy = out.naming.checkpointTopic(forUpstream: topic)
      let partitions = (described.topic(copy)?.partitions ?? []).map { TopicPartition(copy, $0.id) }
      guard !partitions.isEmpty else { continue }
      let ends = try await client.watermarks(for: partitions, timeout: .seconds(5))
      for tp in partitions {
        let original = TopicPartition(topic, tp.partition)
        result.notes.append(
          Self.note(original, tails[original], recovered[original], primary: primary, standby: standby))
      }
      for group in service.groupsToTranslate {
        let committed = try await client.committedOffsets(group: group, partitions: partitions, timeout: .seconds(5))
        for tp in partitions {
          guard let c = committed[tp] ?? nil else { continue }
          let original = TopicPartition(topic, tp.partition)
          result.translations.append(
            try await position(
              group, copy: tp, committed: c, copyEnd: ends[tp]?.high, tail: tails[original],
              recovered: recovered[original], history: histories[original], origin: primary, client: client))
        }
      }
    }
    return result
  }

  private func position(
    _ group: String, copy: TopicPartition, committed c: Int64, copyEnd: Int64?, tail: DivergentPartition?,
    recovered: RecoveryPartition?, history: OffsetSyncHistory?, origin: String, client: any KafkaOperations
  ) async throws -> Translation {
    func made(_ offset: Int64?, _ basis: String, bound: Int64?, error: String?) -> Translation {
      Translation(
        group: group, sourceTopic: copy.topic, targetTopic: tail?.topic ?? Self.original(copy.topic, origin),
        partition: copy.partition, upstreamOffset: c, upstreamFrom: "live", translatedOffset: offset,
        mode: .offsetSync, basis: basis, redeliveryBound: bound, error: error)
    }
    // A recovery measured where the copy ended; else the tail measured now says.
    if let recovered, let end = recovered.copyEnd ?? (tail?.isExact == true ? copyEnd : nil) {
      return try await afterRecovery(
        c, copyEnd: end, recovered, group: group, history: history, origin: origin, client: client,
        made: { made($0, $1, bound: $2, error: $3) })
    }
    guard let tail, tail.isExact, let end = copyEnd, c >= end else {
      // Still inside the copy (or its end unknown): back along the flow that made it.
      let back = OffsetTranslator.viaOffsetSyncBackwards(committed: c, history: history)
      return made(back.offset, back.basis, bound: back.redeliveryBound, error: back.error)
    }
    return made(
      tail.tailStart, "read the whole copy (\(end)); the tail \(tail.tailStart)..<\(tail.tailEnd) was not recovered",
      bound: 0, error: nil)
  }

  /// A group's position after a recovery into the active topic, from the copy's end as the
  /// recovery measured it (replication resumed since, by another service's failback for
  /// one, may have copied the tail after it: that end is not the tail's start).
  private func afterRecovery(
    _ c: Int64, copyEnd end: Int64, _ recovered: RecoveryPartition, group: String, history: OffsetSyncHistory?,
    origin: String, client: any KafkaOperations,
    made: (Int64?, String, Int64?, String?) -> Translation
  ) async throws -> Translation {
    guard c >= end else {
      let back = OffsetTranslator.viaOffsetSyncBackwards(committed: c, history: history)
      return made(back.offset, back.basis, back.redeliveryBound, back.error)
    }
    var newest: Int64? = nil
    if let first = recovered.destFirst, let last = recovered.destLast {
      // How far into the recovered copies the group read on the standby.
      let dest = TopicPartition(recovered.destTopic, recovered.destPartition)
      let readUpTo =
        try await client.committedOffsets(group: group, partitions: [dest], timeout: .seconds(5))[dest] ?? nil
      let until = min(readUpTo ?? first, last + 1)
      if until > first {
        for r in try await client.read(dest, from: first, until: until, timeout: .seconds(30)) {
          if let o = Recoverer.originOffset(r, cluster: origin, topic: recovered.topic, partition: recovered.partition)
          {
            newest = max(newest ?? o, o)
          }
        }
      }
    }
    var resume = newest.map { $0 + 1 } ?? recovered.tailStart
    var basis =
      "read the whole copy and the recovered tail up to \(newest.map(String.init) ?? "none of it") (recovery, "
      + "\(recovered.destTopic)[\(recovered.destPartition)] \(recovered.destFirst.map(String.init) ?? "-")..."
      + "\(recovered.destLast.map(String.init) ?? "-"))"
    if c > end, let back = OffsetTranslator.viaOffsetSyncBackwards(committed: c, history: history).offset,
      back > resume
    {
      // It also read copies of the tail that replication made after the recovery.
      resume = back
      basis += "; and \(c - end) copies of the tail replicated after it, back to \(back)"
    }
    return made(resume, basis, 0, nil)
  }

  static func original(_ copyTopic: String, _ origin: String) -> String {
    copyTopic.hasPrefix(origin + ".") ? String(copyTopic.dropFirst(origin.count + 1)) : copyTopic
  }

  /// What the consumers see again of one partition of the primary after the failback.
  static func note(
    _ tp: TopicPartition, _ tail: DivergentPartition?, _ recovered: RecoveryPartition?, primary: String,
    standby: String
  ) -> String {
    let name = "\(tp.topic)[\(tp.partition)]"
    guard let tail, tail.records > 0 else {
      return
        "\(name): nothing of \(primary)'s was left unreplicated; groups resume where they read the copy on \(standby)"
    }
    let range = "\(tail.tailStart)..<\(tail.tailEnd)"
    if let recovered, recovered.copied > 0 {
      return "\(name): \(range) never reached \(standby) before the failover and was recovered into "
        + "\(recovered.destTopic) there: groups that read it are put past it, nothing read is delivered again"
    }
    return "\(name): \(range) (\(tail.records) records) never reached \(standby) and was not recovered: the groups "
      + "read it after the failback, on \(primary), late and after what they read on \(standby)"
  }
}
