import Foundation
import KafkaClient
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

@Suite("failoverctl mm2 and offsets, as a user runs them")
struct OffsetsCommandTests {
  @Test func mm2DecodePrintsEveryGoldenVector() async throws {
    let file = Failoverctl.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/mm2-vectors.json")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
    let vectors = json["vectors"] as! [[String: Any]]
    for v in vectors {
      let r = try await Failoverctl.run([
        "mm2", "decode", "--type", v["type"] as! String, "--key", v["key"] as! String, "--value", v["value"] as! String,
        "--output", "json",
      ])
      #expect(r.status == 0, "\(r.stderr)")
      let decoded = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! NSDictionary
      #expect(decoded == (v["decoded"] as! NSDictionary))
    }
    let bad = try await Failoverctl.run(["mm2", "decode", "--type", "checkpoint", "--key", "0001", "--value", "00"])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("not a valid checkpoint record: truncated"))
  }

  @Test func ingestTranslateApplyAndLagAgainstALab() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let topologyFile = dir.appendingPathComponent("lab.yaml").path
    let db = dir.appendingPathComponent("state.db").path
    let lab = try await Failoverctl.startLab(topologyOut: topologyFile)
    defer { lab.process.interrupt() }
    let topology = try TopologyLoader.load(path: topologyFile).topology
    let flow = try #require(topology.flow(from: "east", to: "west"))
    let east = try topology.cluster("east")!.makeClient()
    let west = try topology.cluster("west")!.makeClient()

    // 30 records upstream; on the target the replicas sit 10 offsets later.
    _ = try await east.produce(
      (0..<30).map { ProducerRecord(topic: "orders", partition: 0, value: Array("o\($0)".utf8)) })
    _ = try await west.produce(
      (0..<40).map { ProducerRecord(topic: "east.orders", partition: 0, value: Array("r\($0)".utf8)) })
    let syncs = [
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 0, downstreamOffset: 10),
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 20, downstreamOffset: 30),
    ]
    _ = try await east.produce(
      syncs.map { ProducerRecord(topic: flow.offsetSyncsTopic, partition: 0, key: $0.key, value: $0.value) })
    let cp = Checkpoint(
      group: "orders-processor", topic: "east.orders", partition: 0, upstreamOffset: 25, downstreamOffset: 31)
    _ = try await west.produce([
      ProducerRecord(topic: flow.checkpointsTopic, partition: 0, key: cp.key, value: cp.value)
    ])

    let common = ["--config", topologyFile, "--db", db, "--flow", "east->west"]
    let ingest = try await Failoverctl.run(["offsets", "ingest"] + common)
    #expect(ingest.status == 0, "\(ingest.stderr)")
    #expect(ingest.stdout.contains("east->west: 1 checkpoints, 2 offset-syncs"))

    let translate = try await Failoverctl.run(["offsets", "translate"] + common + ["--offline", "--output", "json"])
    #expect(translate.status == 0, "\(translate.stderr)")
    let rows = try JSONSerialization.jsonObject(with: Data(translate.stdout.utf8)) as! [[String: Any]]
    #expect(rows.count == 1)
    #expect(rows.first?["translatedOffset"] as? Int == 31)
    #expect(rows.first?["targetTopic"] as? String == "east.orders")
    #expect(rows.first?["upstreamFrom"] as? String == "checkpoint")

    let table = try await Failoverctl.run(["offsets", "translate"] + common + ["--offline"])
    #expect(table.stdout.hasPrefix("GROUP"))
    #expect(table.stdout.contains("orders-processor"))

    let dry = try await Failoverctl.run(["offsets", "apply"] + common + ["--dry-run"])
    #expect(dry.status == 0, "\(dry.stderr)")
    #expect(dry.stdout.contains("planned"))
    let apply = try await Failoverctl.run(["offsets", "apply"] + common)
    #expect(apply.status == 0, "\(apply.stdout)\(apply.stderr)")
    #expect(apply.stdout.contains("written"))
    let committed = try await west.committedOffsets(
      group: "orders-processor", partitions: [TopicPartition("east.orders", 0)])
    #expect(committed[TopicPartition("east.orders", 0)] == 31)

    let lag = try await Failoverctl.run(["offsets", "lag"] + common + ["--output", "json"])
    #expect(lag.status == 0, "\(lag.stderr)")
    let lagJSON = try JSONSerialization.jsonObject(with: Data(lag.stdout.utf8)) as! [String: Any]
    #expect(lagJSON["recordsBehind"] as? Int == 9)

    let unknown = try await Failoverctl.run([
      "offsets", "translate", "--config", topologyFile, "--db", db, "--flow", "east->nowhere",
    ])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("no such flow"))
    #expect(unknown.stderr.contains("east->west"))
  }

  @Test func anUnreachableClusterExits69() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let a = try ClosedPort()
    let b = try ClosedPort()
    let file = dir.appendingPathComponent("t.yaml")
    try """
    regions: [{name: a}, {name: b}]
    clusters:
      - {name: x, region: a, bootstrapServers: "127.0.0.1:\(a.port)"}
      - {name: y, region: b, bootstrapServers: "127.0.0.1:\(b.port)"}
    flows:
      - {source: x, target: y}
    """.write(to: file, atomically: true, encoding: .utf8)
    let r = try await Failoverctl.run([
      "offsets", "ingest", "--config", file.path, "--db", dir.appendingPathComponent("s.db").path, "--flow", "x->y",
      "--timeout", "2",
    ])
    #expect(r.status == 69, "\(r.stderr)")
    #expect(r.stderr.contains("Kafka unavailable"))
  }
}
