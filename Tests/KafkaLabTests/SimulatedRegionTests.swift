import Foundation
import HealthProbes
import KafkaClient
import KafkaLab
import Orchestrator
import Testing
import Topology

@Suite("Simulated regions and fault injection")
struct SimulatedRegionTests {
  @Test func labTopologyRoundTripsThroughTheLoader() throws {
    let lab = try Lab(regions: ["east", "west", "central"])
    let parsed = try TopologyLoader.parse(yaml: lab.topologyYAML, file: "lab.yaml")
    #expect(parsed == lab.topology.withoutLocations(parsed))
    #expect(parsed.flows.map(\.name) == ["east->west", "west->east", "east->central", "central->east"])
    #expect(parsed.services.first?.standbys == ["west", "central"])
  }

  @Test func healthyRegionReadsHealthyAndADownOneUnreachable() async throws {
    let lab = try Lab(regions: ["east", "west"])
    let east = lab.region("east")!
    let client = try KafkaClient(bootstrapServers: east.bootstrapServers)
    let probe = KafkaMetadataProbe(
      cluster: "east", client: client, bootstrapServers: east.bootstrapServers, expectedBrokers: 3, timeout: .seconds(2)
    )
    let healthy = await probe.run()
    #expect(healthy.state == .healthy, "\(healthy.reasons)")
    // orders (6), payments (3), their remote copies from west, MM2's internal topics on
    // east: offset-syncs of east->west, checkpoints and heartbeats of west->east (1 each),
    // and the flows' canary topic and west's copy of it (1 each).
    #expect(healthy.partitions == 23)
    east.fail()
    #expect(east.isDown)
    let down = await probe.run()
    #expect(down.state == .unreachable)
    east.recover()
    var again = down
    for _ in 0..<20 where again.state != .healthy { again = await probe.run() }
    #expect(again.state == .healthy)
  }

  @Test func addedLatencyBeyondTheTimeoutFailsTheProbe() async throws {
    let region = try SimulatedRegion(name: "slow")
    let client = try KafkaClient(bootstrapServers: region.bootstrapServers)
    _ = try await client.describeCluster()
    region.setLatency(.milliseconds(1500))
    let probe = KafkaMetadataProbe(
      cluster: "slow", client: client, bootstrapServers: region.bootstrapServers, timeout: .milliseconds(500))
    let slow = await probe.run()
    // Slow is not gone: the brokers accept connections, so the region degrades.
    #expect(slow.state == .degraded, "\(slow.reasons)")
    region.setLatency(.zero)
    var back = slow
    for _ in 0..<20 where back.state != .healthy { back = await probe.run() }
    #expect(back.state == .healthy)
  }

  @Test func theCanaryProducesAndReadsBackARecord() async throws {
    let region = try SimulatedRegion(name: "c")
    try region.cluster!.createTopic("__failover_canary", partitions: 1)
    let client = try KafkaClient(bootstrapServers: region.bootstrapServers)
    let probe = KafkaMetadataProbe(
      cluster: "c", client: client, bootstrapServers: region.bootstrapServers, timeout: .seconds(3),
      canaryTopic: "__failover_canary")
    let h = await probe.run()
    #expect(h.state == .healthy, "\(h.reasons)")
    #expect(h.canaryMilliseconds != nil)
    // Produce requests (API key 0) refused: metadata still answers, the canary does not pass.
    region.injectErrors(apiKey: 0, errors: Array(repeating: 29, count: 50))  // TOPIC_AUTHORIZATION_FAILED
    let refused = await probe.run()
    #expect(refused.state == .degraded)
    #expect(refused.reasons.contains { $0.hasPrefix("canary on __failover_canary failed") })
  }

  @Test func injectedRequestErrorsReachTheClient() async throws {
    let region = try SimulatedRegion(name: "flaky")
    try region.cluster!.createTopic("t", partitions: 1)
    let client = try KafkaClient(bootstrapServers: region.bootstrapServers)
    _ = try await client.produce([ProducerRecord(topic: "t", partition: 0, value: [1])])
    // OffsetCommit (API key 8) refused once with GROUP_AUTHORIZATION_FAILED (30).
    region.injectErrors(apiKey: 8, errors: [30])
    let outcome = try await client.alterGroupOffsets(group: "g", offsets: [TopicPartition("t", 0): 1])
    guard case .failed(let error) = outcome[TopicPartition("t", 0)] else {
      Issue.record("injected error did not surface: \(outcome)")
      return
    }
    #expect(error.name == "GROUP_AUTHORIZATION_FAILED")
    // The next request goes through.
    let retry = try await client.alterGroupOffsets(group: "g", offsets: [TopicPartition("t", 0): 1])
    #expect(retry[TopicPartition("t", 0)] == .ok)
  }

  @Test func offlinePartitionsDegradeACluster() {
    let d = ClusterDescription(
      brokers: [BrokerInfo(id: 1, host: "h", port: 1), BrokerInfo(id: 2, host: "h", port: 2)], controllerId: 1,
      respondingBrokerId: 1,
      topics: [
        TopicInfo(
          name: "orders",
          partitions: [
            PartitionInfo(id: 0, leader: -1, replicas: [1, 2, 3], isr: [], error: "LEADER_NOT_AVAILABLE"),
            PartitionInfo(id: 1, leader: 1, replicas: [1, 2], isr: [1, 2], error: nil),
          ], error: nil)
      ])
    let h = ClusterHealth.evaluate(
      cluster: "c", description: d, expectedBrokers: 3, latency: .milliseconds(3), minISR: ["orders": 3])
    #expect(h.state == .degraded)
    // Partition 1 has 2 in-sync replicas where the topic requires 3; offline partition 0 is counted as offline.
    #expect(h.reasons.contains("1 partitions under min ISR (e.g. orders-1: ISR 2 < 3)"))
    #expect(h.reasons.contains("2 of 3 brokers up"))
    #expect(h.reasons.contains { $0.hasPrefix("1 offline partitions (e.g. orders-0)") })
    #expect(h.offlinePartitions == 1)
  }
}

extension Topology {
  /// The same topology with the parsed one's source locations, so the two compare on
  /// content alone.
  func withoutLocations(_ parsed: Topology) -> Topology {
    var t = self
    for i in t.regions.indices { t.regions[i].location = parsed.regions[i].location }
    for i in t.clusters.indices { t.clusters[i].location = parsed.clusters[i].location }
    for i in t.flows.indices { t.flows[i].location = parsed.flows[i].location }
    for i in t.services.indices { t.services[i].location = parsed.services[i].location }
    return t
  }
}
