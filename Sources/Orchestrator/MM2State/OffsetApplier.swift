import KafkaClient
import Topology

/// Writes translated offsets to the target's consumer groups (AlterConsumerGroupOffsets).
///
/// Only groups a service of the flow covers are touched. A group with live members on the
/// target is skipped unless forced (its consumers own their offsets). A partition whose
/// target offset is already at or past the translation is left alone unless forced, as
/// MM2's offset sync does. Re-running with the same translations changes nothing.
public struct OffsetApplier: Sendable {
  public enum Status: String, Sendable, Codable {
    case written, unchanged, skipped, failed, planned
  }

  public struct Outcome: Sendable, Codable, Equatable {
    public let group: String
    public let topic: String
    public let partition: Int32
    public let offset: Int64?
    public let status: Status
    public let reason: String?
  }

  public let target: any KafkaOperations
  public let planner: TranslationPlanner

  public init(target: any KafkaOperations, planner: TranslationPlanner) {
    self.target = target
    self.planner = planner
  }

  /// Groups written at once: each takes two round trips to the target (fetch, alter; their
  /// members are read for all of them first), which one at a time made 1,000 groups take
  /// seconds on a loopback broker; the blocking calls share the 16 threads of
  /// `KafkaThreads`, so half of them at most.
  static let width = 8

  public func apply(_ translations: [Translation], force: Bool = false, dryRun: Bool = false) async throws -> [Outcome]
  {
    let byGroup = Dictionary(grouping: translations, by: \.group)
    let groups = byGroup.keys.sorted()
    // Every covered group's members in one call, before any is written.
    let live = force ? [:] : try await liveMembers(groups.filter { planner.covers(group: $0) })
    // Each group's outcomes in its own slot: the answer is in group order, as one at a time.
    var outcomes = [[Outcome]](repeating: [], count: groups.count)
    try await withThrowingTaskGroup(of: (Int, [Outcome]).self) { running in
      var next = 0
      func start() {
        let i = next
        let group = groups[i]
        let items = (byGroup[group] ?? []).sorted { ($0.targetTopic, $0.partition) < ($1.targetTopic, $1.partition) }
        running.addTask { (i, try await self.apply(group, items, live: live[group], force: force, dryRun: dryRun)) }
        next += 1
      }
      while next < min(Self.width, groups.count) { start() }
      while let (i, done) = try await running.next() {
        outcomes[i] = done
        if next < groups.count { start() }
      }
    }
    return outcomes.flatMap { $0 }
  }

  /// One group: skipped when no service of the flow covers it or (unless forced) it has
  /// live members on the target; else written.
  private func apply(
    _ group: String, _ items: [Translation], live members: Int?, force: Bool, dryRun: Bool
  ) async throws -> [Outcome] {
    func all(_ status: Status, _ reason: String) -> [Outcome] {
      items.map {
        Outcome(
          group: group, topic: $0.targetTopic, partition: $0.partition, offset: $0.translatedOffset, status: status,
          reason: reason)
      }
    }
    guard planner.covers(group: group) else {
      return all(.skipped, "group is not covered by any service of flow \(planner.flow.name)")
    }
    if let members {
      return all(.skipped, "\(members) live members on the target; stop them or use --force")
    }
    do {
      return try await write(group, items, force: force, dryRun: dryRun)
    } catch let e as KafkaError where [.timedOut, .unreachable].contains(e.kind) {
      // The target itself does not answer: no group can be written.
      throw e
    } catch {
      // This group's answer (an unknown topic, an authorization error) is its own.
      return all(.failed, "\(error)")
    }
  }

  /// One group's translations: left where the target is already at (or past) them, else
  /// written in one AlterConsumerGroupOffsets call.
  private func write(_ group: String, _ items: [Translation], force: Bool, dryRun: Bool) async throws -> [Outcome] {
    var outcomes: [Outcome] = []
    var toWrite: [TopicPartition: Int64] = [:]
    let current = try await target.committedOffsets(
      group: group, partitions: items.map { TopicPartition($0.targetTopic, $0.partition) })
    for t in items {
      let tp = TopicPartition(t.targetTopic, t.partition)
      guard let offset = t.translatedOffset else {
        outcomes.append(
          .init(
            group: group, topic: tp.topic, partition: tp.partition, offset: nil, status: .skipped, reason: t.error))
        continue
      }
      if let existing = current[tp] ?? nil {
        if existing == offset {
          outcomes.append(
            .init(
              group: group, topic: tp.topic, partition: tp.partition, offset: offset, status: .unchanged, reason: nil)
          )
          continue
        }
        if existing > offset, !force {
          outcomes.append(
            .init(
              group: group, topic: tp.topic, partition: tp.partition, offset: offset, status: .skipped,
              reason: "target already at \(existing), ahead of the translation; use --force to move it back"))
          continue
        }
      }
      toWrite[tp] = offset
    }
    guard !toWrite.isEmpty else { return outcomes }
    if dryRun {
      for (tp, o) in toWrite.sorted(by: { $0.key < $1.key }) {
        outcomes.append(
          .init(group: group, topic: tp.topic, partition: tp.partition, offset: o, status: .planned, reason: nil))
      }
      return outcomes
    }
    let results = try await target.alterGroupOffsets(group: group, offsets: toWrite)
    for (tp, o) in toWrite.sorted(by: { $0.key < $1.key }) {
      switch results[tp] {
      case .failed(let e) where e.kind == .groupNotEmpty:
        // Where DescribeGroups could not tell, the broker's refusal says it.
        outcomes.append(
          .init(
            group: group, topic: tp.topic, partition: tp.partition, offset: o, status: .skipped,
            reason: "group has live members on the target (broker refused: \(e.name)); stop them first"))
      case .ok:
        outcomes.append(
          .init(group: group, topic: tp.topic, partition: tp.partition, offset: o, status: .written, reason: nil))
      case .failed(let e):
        outcomes.append(
          .init(group: group, topic: tp.topic, partition: tp.partition, offset: o, status: .failed, reason: "\(e)"))
      case nil:
        outcomes.append(
          .init(
            group: group, topic: tp.topic, partition: tp.partition, offset: o, status: .failed, reason: "no result"))
      }
    }
    return outcomes
  }

  /// Live members on the target of each group that has some; nothing for a group the
  /// broker cannot describe (then the broker itself refuses to alter a non-empty group).
  private func liveMembers(_ groups: [String]) async throws -> [String: Int] {
    guard !groups.isEmpty else { return [:] }
    do {
      let described = try await target.describeGroups(groups, timeout: .seconds(10))
      var live: [String: Int] = [:]
      // A group-level error (e.g. DescribeGroups unsupported) means "cannot tell".
      for d in described where d.error == nil && !d.members.isEmpty { live[d.groupId] = d.members.count }
      return live
    } catch let e as KafkaError where e.kind == .unsupportedByBroker || e.kind == .broker {
      return [:]
    }
  }
}
