import Foundation
import KafkaClient

/// Asks a cluster for its metadata within a timeout and judges the answer.
public struct KafkaMetadataProbe: Sendable {
  public let cluster: String
  public let client: KafkaClient
  public let expectedBrokers: Int?
  public let timeout: Duration
  /// The brokers to try a plain TCP connection to when metadata fails.
  public let bootstrapServers: [String]
  /// When set, a record is produced to partition 0 of this topic and read back.
  public let canaryTopic: String?
  private let minISR = MinISRCache()

  public init(
    cluster: String, client: KafkaClient, bootstrapServers: String = "", expectedBrokers: Int? = nil,
    timeout: Duration = .seconds(2), canaryTopic: String? = nil
  ) {
    self.canaryTopic = canaryTopic
    self.cluster = cluster
    self.client = client
    self.bootstrapServers = bootstrapServers.split(separator: ",").map {
      String($0.split(separator: "://").last ?? $0).trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    self.expectedBrokers = expectedBrokers
    self.timeout = timeout
  }

  public func run() async -> ClusterHealth {
    let start = ContinuousClock.now
    do {
      let description = try await client.describeCluster(timeout: timeout)
      let known = await minISR.current(
        client: client, topics: description.topics.filter { !$0.isInternal }.map(\.name), timeout: timeout)
      let health = ClusterHealth.evaluate(
        cluster: cluster, description: description, expectedBrokers: expectedBrokers,
        latency: ContinuousClock.now - start, minISR: known)
      guard let canaryTopic else { return health }
      return await canary(canaryTopic, after: health)
    } catch {
      let latency = ContinuousClock.now - start
      // Brokers that still accept connections but answer too late: slow, not gone.
      if !bootstrapServers.isEmpty, await TCPReachability.anyAccepts(bootstrapServers, timeout: .seconds(1)) {
        return .slow(cluster: cluster, error: error, expectedBrokers: expectedBrokers, latency: latency)
      }
      return .unreachable(cluster: cluster, error: error, expectedBrokers: expectedBrokers, latency: latency)
    }
  }
}

extension KafkaMetadataProbe {
  /// Produces a record and reads it back: the cluster answers metadata but cannot take
  /// or serve writes → degraded.
  func canary(_ topic: String, after health: ClusterHealth) async -> ClusterHealth {
    let start = ContinuousClock.now
    let marker = Array("failoverctl-canary-\(UUID().uuidString)".utf8)
    do {
      let report = try await client.produce(
        [ProducerRecord(topic: topic, partition: 0, value: marker)], timeout: timeout)
      let tp = TopicPartition(topic, 0)
      let read = try await client.read(tp, from: report[0].offset, until: report[0].offset + 1, timeout: timeout)
      guard read.first?.value == marker else {
        throw KafkaError(code: -185, message: "canary record not read back", operation: "canary")
      }
      return health.withCanary((ContinuousClock.now - start).milliseconds, failure: nil)
    } catch {
      return health.withCanary(nil, failure: "canary on \(topic) failed: \(error)")
    }
  }

  /// The same observation as a generic probe result.
  public func runResult(vantage: String = ProbeResult.defaultVantage) async -> ProbeResult {
    let h = await run()
    return ProbeResult(
      kind: .kafka, subject: cluster, state: h.state, reasons: h.reasons, latencyMilliseconds: h.latencyMilliseconds,
      vantage: vantage)
  }
}
