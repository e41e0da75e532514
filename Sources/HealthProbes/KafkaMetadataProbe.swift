import KafkaClient

/// Asks a cluster for its metadata within a timeout and judges the answer.
public struct KafkaMetadataProbe: Sendable {
  public let cluster: String
  public let client: KafkaClient
  public let expectedBrokers: Int?
  public let timeout: Duration

  public init(cluster: String, client: KafkaClient, expectedBrokers: Int? = nil, timeout: Duration = .seconds(2)) {
    self.cluster = cluster
    self.client = client
    self.expectedBrokers = expectedBrokers
    self.timeout = timeout
  }

  public func run() async -> ClusterHealth {
    let start = ContinuousClock.now
    do {
      let description = try await client.describeCluster(timeout: timeout)
      return .evaluate(
        cluster: cluster, description: description, expectedBrokers: expectedBrokers,
        latency: ContinuousClock.now - start)
    } catch {
      return .unreachable(
        cluster: cluster, error: error, expectedBrokers: expectedBrokers, latency: ContinuousClock.now - start)
    }
  }
}
