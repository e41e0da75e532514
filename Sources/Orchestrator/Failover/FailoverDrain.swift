import KafkaClient
import Topology

extension FailoverExecutor {
  /// Waits until the flow has replicated everything the source holds of the service's
  /// topics, within `timeout`. Other services on the flow may still be writing: their
  /// records are not this failover's to wait for.
  func drain(_ flow: Flow, service: String, timeout: Duration) async throws -> String {
    let source = try kafka.client(flow.source)
    let topics = Self.drainedTopics(flow, topology.service(service)?.topics ?? [])
    let partitions = try await source.describeCluster(timeout: .seconds(5)).topics.filter { topics.contains($0.name) }
      .flatMap { t in t.partitions.map { TopicPartition(t.name, $0.id) } }
    return try await drain(flow, partitions, source, timeout, clock)
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
