import CurlHTTP
import Foundation
import KafkaClient
import Orchestrator
import TestSupport
import Testing
import Topology

/// The standby-writes probe through the built binary: a producer that writes to the
/// standby's own topic (a client with a stale configuration, a script) is seen.
@Suite("Writes to a standby, reported")
struct StandbyWritesTests {
  @Test func aProducerWritingToTheStandbysLocalTopicIsReportedWithItsPartitions() async throws {
    let fixture = try await ServeFixture.start()
    defer { Task { _ = await fixture.stop() } }
    let topology = try TopologyLoader.load(path: fixture.topology).topology
    let west = try topology.cluster("west")!.makeClient()
    func finding(on cluster: String = "west") async throws -> StandbyWrites? {
      try await fixture.status().standbyWrites.first { $0.service == "orders" && $0.cluster == cluster }
    }
    // Watched, and nothing written yet.
    let watched = try await eventually("west is watched for orders", timeout: .seconds(10)) {
      try await finding()?.state == .healthy
    }
    try #require(watched, "west is not watched for orders")
    _ = try await west.produce(
      (0..<7).map { ProducerRecord(topic: "orders", partition: 2, value: Array("x\($0)".utf8)) })
    let written = ContinuousClock.now
    var found: StandbyWrites? = nil
    _ = try await eventually("the writes to west are reported", timeout: .seconds(10), every: .milliseconds(50)) {
      found = try await finding()
      return found?.state == .degraded
    }
    print("standby writes: reported \(ContinuousClock.now - written) after the write (probe interval 1 s)")
    #expect(found?.state == .degraded, "\(String(describing: found))")
    #expect(found?.records == 7)
    let partitions = found?.partitions ?? []
    #expect(partitions.count == 1)
    #expect(partitions.first?.topic == "orders" && partitions.first?.partition == 2)
    #expect(partitions.first?.records == 7)
    // The replicated copy (east.orders) and the active cluster are not what it watches.
    #expect(try await fixture.status().standbyWrites.allSatisfy { $0.cluster == "west" })
    let metrics = try await fixture.get("/metrics").text
    #expect(
      metrics.contains("kafka_failover_standby_writes_records{service=\"orders\",cluster=\"west\"} 7"),
      "\(metrics.split(separator: "\n").filter { $0.contains("standby") })")

    // After a switchover to west, the old primary is watched from then on; west no longer.
    let moved = try await fixture.switchOver(
      "/v1/services/orders/promote", #"{"to": "west", "mode": "forced", "reason": "test"}"#)
    #expect(moved.status == .succeeded, "\(moved)")
    let baseline = try await eventually("east is watched after the switchover", timeout: .seconds(10)) {
      try await finding(on: "east")?.state == .healthy
    }
    try #require(baseline, "east is not watched after the switchover")
    let east = try topology.cluster("east")!.makeClient()
    _ = try await east.produce(
      (0..<3).map { ProducerRecord(topic: "orders", partition: 0, value: Array("s\($0)".utf8)) })
    var old: StandbyWrites? = nil
    _ = try await eventually("the writes to east are reported", timeout: .seconds(10), every: .milliseconds(50)) {
      old = try await finding(on: "east")
      return old?.state == .degraded
    }
    #expect(old?.records == 3, "\(String(describing: old))")
    #expect(try await finding(on: "west") == nil)
  }
}
