import CurlHTTP
import Foundation
import KafkaClient
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

@Suite("Failover journal: a kill at every step boundary, then a restart", .serialized)
struct FailoverResumeTests {
  /// What a finished failover leaves behind, compared across runs.
  struct Outcome: Equatable, CustomStringConvertible {
    let status: String
    let steps: [String]
    let epoch: Int
    let active: String
    let writable: Bool
    let committed: Int64?
    var description: String {
      "\(status) \(steps) epoch \(epoch) \(active) writable \(writable) offset \(committed ?? -1)"
    }
  }

  /// East has 30 records of `orders`; west their copies 10 offsets later; an offset-sync at
  /// every tenth record and the last (29: nothing left to replicate) and a checkpoint of
  /// `orders-processor` at 25 -> 31.
  static func seed(_ topologyFile: String) async throws -> KafkaClient {
    let topology = try TopologyLoader.load(path: topologyFile).topology
    let flow = try #require(topology.flow(from: "east", to: "west"))
    let east = try topology.cluster("east")!.makeClient()
    let west = try topology.cluster("west")!.makeClient()
    _ = try await east.produce(
      (0..<30).map { ProducerRecord(topic: "orders", partition: 0, value: Array("o\($0)".utf8)) })
    _ = try await west.produce(
      (0..<40).map { ProducerRecord(topic: "east.orders", partition: 0, value: Array("r\($0)".utf8)) })
    let syncs = [0, 10, 20, 29].map {
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: Int64($0), downstreamOffset: Int64($0 + 10))
    }
    _ = try await east.produce(
      syncs.map { ProducerRecord(topic: flow.offsetSyncsTopic, partition: 0, key: $0.key, value: $0.value) })
    let cp = Checkpoint(
      group: "orders-processor", topic: "east.orders", partition: 0, upstreamOffset: 25, downstreamOffset: 31)
    _ = try await west.produce([
      ProducerRecord(topic: flow.checkpointsTopic, partition: 0, key: cp.key, value: cp.value)
    ])
    return west
  }

  @Test func everyInterruptedFailoverEndsLikeAnUninterruptedOne() async throws {
    let fixture = try await ServeFixture.start()
    let west = try await Self.seed(fixture.topology)
    _ = await fixture.server.stop()
    defer { fixture.lab?.process.interrupt() }
    let boundaries: [String?] = [
      nil, "before:fence-source", "after:fence-source", "after:drain", "after:refresh-checkpoints",
      "after:translate-offsets", "after:write-offsets", "after:switch-discovery", "after:reconfigure-replication",
    ]
    var reference: Outcome? = nil
    for (i, boundary) in boundaries.enumerated() {
      let db = fixture.dir.appendingPathComponent("state-\(i).db").path
      let env = boundary.map { ["FAILOVERCTL_FAILPOINTS": $0] } ?? [:]
      var server = try await ServeProcess.start(config: fixture.topology, db: db, environment: env)
      var f = fixture
      f.server = server
      // With a failpoint the process may die before it answers: the journal decides.
      _ = try? await f.post("/v1/services/orders/promote", #"{"to": "west", "reason": "drill"}"#)
      if boundary != nil {
        let status = await server.exited()
        #expect(status == 86, "\(boundary!): the failpoint did not end the process (status \(status))")
        server = try await ServeProcess.start(config: fixture.topology, db: db)
        f.server = server
      }
      let record = try await f.finished(1)
      let doc = try await f.discovery("orders")
      let committed = try await west.committedOffsets(
        group: "orders-processor", partitions: [TopicPartition("east.orders", 0)])
      let outcome = Outcome(
        status: record.status.rawValue, steps: record.steps.map(\.status.rawValue), epoch: Int(doc.epoch),
        active: doc.active.cluster, writable: doc.active.writable,
        committed: committed[TopicPartition("east.orders", 0)] ?? nil)
      if let reference {
        #expect(outcome == reference, "after a kill at \(boundary ?? "-")")
      } else {
        #expect(outcome.status == "succeeded")
        #expect(outcome.epoch == 3)
        #expect(outcome.active == "west")
        #expect(outcome.committed == 31)
        reference = outcome
      }
      let (exit, err) = await server.stop()
      #expect(exit == 0, "\(err)")
    }
  }
}
