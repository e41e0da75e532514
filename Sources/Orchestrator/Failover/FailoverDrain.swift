import KafkaClient
import Topology

extension FailoverExecutor {
  /// Waits until the flow has replicated everything the source holds of the service's
  /// topics, within `timeout`. Other services on the flow may still be writing: their
  /// records are not this failover's to wait for.
  ///
  /// With `groups`, it then gives the service's consumer groups a moment to commit what the
  /// fence left them to read (`drainGroups`): the translation then starts them on the target
  /// where they read to, and nothing they read is delivered again.
  func drain(_ flow: Flow, service: String, timeout: Duration, groups: Bool) async throws -> String {
    let source = try kafka.client(flow.source)
    let topics = Self.drainedTopics(flow, topology.service(service)?.topics ?? [])
    let partitions = try await source.describeCluster(timeout: .seconds(5)).topics.filter { topics.contains($0.name) }
      .flatMap { t in t.partitions.map { TopicPartition(t.name, $0.id) } }
    let drained = try await drain(flow, partitions, source, timeout, clock)
    guard groups, let service = topology.service(service) else { return drained }
    let caughtUp = await drainGroups(service.groupsToTranslate, partitions, source, clock)
    return [drained, caughtUp].compactMap { $0 }.joined(separator: "; ")
  }

  /// How long a planned switch waits for consumer groups at most, and for one whose commits
  /// stopped moving (its consumer is not running, or stuck): it is not waited for.
  static let groupDrainBound = Duration.seconds(5)
  static let groupIdleBound = Duration.seconds(1)

  /// Waits until every group that commits on the drained partitions has committed their end
  /// (the fence stopped the producers, so the end holds still), within the bounds above.
  /// Nil when none had anything left to read.
  private func drainGroups<C: Clock<Duration>>(
    _ groups: [String], _ partitions: [TopicPartition], _ source: any KafkaOperations, _ clock: C
  ) async -> String? {
    guard !partitions.isEmpty, let highs = try? await source.watermarks(for: partitions, timeout: .seconds(5)) else {
      return nil
    }
    let started = clock.now
    var lastMove = started
    var previous: [String: Int64] = [:]
    var waited = false
    while true {
      var behind: [String: Int64] = [:]
      for group in groups {
        guard
          let committed = try? await source.committedOffsets(group: group, partitions: partitions, timeout: .seconds(5))
        else { continue }
        for (tp, c) in committed {
          guard let c, let high = highs[tp]?.high, c < high else { continue }
          behind[group, default: 0] += high - c
        }
      }
      let elapsed = started.duration(to: clock.now)
      if behind.isEmpty {
        return waited ? "consumer groups caught up in \(Int(elapsed / .milliseconds(1))) ms" : nil
      }
      if behind != previous { lastMove = clock.now }
      previous = behind
      if elapsed >= Self.groupDrainBound || lastMove.duration(to: clock.now) >= Self.groupIdleBound {
        let list = behind.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) records)" }.joined(separator: ", ")
        return "not caught up after \(Int(elapsed / .milliseconds(1))) ms, read again on the target: \(list)"
      }
      waited = true
      try? await clock.sleep(for: .milliseconds(100))
    }
  }

  private func drain<C: Clock<Duration>>(
    _ flow: Flow, _ partitions: [TopicPartition], _ source: any KafkaOperations, _ timeout: Duration, _ clock: C
  ) async throws -> String {
    let started = clock.now
    while true {
      _ = try? await refresh.catchUp(flow, timeout: .seconds(5), sourceTimeout: nil)
      let behind = Self.recordsBehind(
        partitions, highs: try await source.watermarks(for: partitions, timeout: .seconds(5)),
        histories: try await mm2.offsetSyncHistories(flow: flow.name))
      let elapsed = started.duration(to: clock.now)
      if behind == 0 { return "\(flow.name) caught up in \(Int(elapsed / .milliseconds(1))) ms" }
      guard elapsed < timeout else {
        throw FailoverError(.drainBound, "\(flow.name) still \(behind) records behind after the drain bound")
      }
      try await clock.sleep(for: .milliseconds(500))
    }
  }

  /// The service's topics that the flow replicates (the validator checked the pattern).
  static func drainedTopics(_ flow: Flow, _ topics: [String]) -> Set<String> {
    let pattern = try? Regex(flow.topicsPattern)
    return Set(topics).filter { t in pattern.map { (try? $0.wholeMatch(in: t)) != nil } ?? true }
  }

  /// Records of `partitions` not yet replicated. Every partition counts, those MM2 has
  /// not synced yet too (all their records are behind): an empty sync history is not a
  /// caught-up flow.
  static func recordsBehind(
    _ partitions: [TopicPartition], highs: [TopicPartition: Watermarks],
    histories: [TopicPartition: OffsetSyncHistory]
  ) -> Int64 {
    partitions.reduce(Int64(0)) { sum, tp in
      sum
        + FlowLag.behind(
          high: highs[tp]?.high ?? 0, logStart: highs[tp]?.low ?? 0, newestSync: histories[tp]?.newest?.upstream)
    }
  }
}
