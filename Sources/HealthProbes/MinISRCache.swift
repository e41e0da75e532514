import KafkaClient

/// Each topic's `min.insync.replicas`, fetched in the background and kept for a while, so
/// that a probe run never waits for DescribeConfigs (which a broker without a controller,
/// or librdkafka's mock, answers only at its timeout).
public actor MinISRCache {
  private var values: [String: Int] = [:]
  private var fetchedAt: ContinuousClock.Instant?
  private var refreshing = false
  public let ttl: Duration

  public init(ttl: Duration = .seconds(300)) { self.ttl = ttl }

  /// What is known now; starts a refresh when the values are older than the ttl.
  public func current(client: KafkaClient, topics: [String], timeout: Duration) -> [String: Int] {
    let stale = fetchedAt.map { ContinuousClock.now - $0 > ttl } ?? true
    if stale, !refreshing, !topics.isEmpty {
      refreshing = true
      Task { await refresh(client: client, topics: topics, timeout: timeout) }
    }
    return values
  }

  private func refresh(client: KafkaClient, topics: [String], timeout: Duration) async {
    defer {
      refreshing = false
      fetchedAt = .now
    }
    guard let raw = try? await client.topicConfig("min.insync.replicas", topics: topics, timeout: timeout) else {
      return
    }
    values = raw.compactMapValues { Int($0) }
  }
}
