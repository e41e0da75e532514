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

  public init(
    cluster: String, client: KafkaClient, bootstrapServers: String = "", expectedBrokers: Int? = nil,
    timeout: Duration = .seconds(2)
  ) {
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
      return .evaluate(
        cluster: cluster, description: description, expectedBrokers: expectedBrokers,
        latency: ContinuousClock.now - start)
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
  /// The same observation as a generic probe result.
  public func runResult(vantage: String = ProbeResult.defaultVantage) async -> ProbeResult {
    let h = await run()
    return ProbeResult(
      kind: "kafka", subject: cluster, state: h.state, reasons: h.reasons, latencyMilliseconds: h.latencyMilliseconds,
      vantage: vantage)
  }
}
