import Foundation
import KafkaClient
import MM2
import TestSupport
import Testing

/// The tail an unplanned failover leaves behind, through the built server: bounded from
/// the journal while the old primary is dark, measured exactly once it answers, shown by
/// the API, `status`, the metrics and the failback plan.
@Suite("Divergence after an unplanned failover", .serialized)
struct DivergenceTests {
  @Test func theTailIsBoundedWhileEastIsDarkAndMeasuredWhenItIsBack() async throws {
    let r = try await AutoFailoverTests.start(policy: AutoFailoverTests.automatic)
    let f = r.fixture
    let topology = r.lab.topology
    let flow = topology.flow(from: "east", to: "west")!
    let east = try topology.cluster("east")!.makeClient()
    let west = try topology.cluster("west")!.makeClient()
    // 20 records on east's orders[0]; MM2 copied the first 12 to west (same key, value and
    // timestamp) and synced 0 -> 0 and 11 -> 11.
    func record(_ topic: String, _ i: Int) -> ProducerRecord {
      ProducerRecord(
        topic: topic, partition: 0, key: Array("k\(i)".utf8), value: Array("v\(i)".utf8),
        timestamp: 1_700_000_000_000 + Int64(i))
    }
    _ = try await east.produce((0..<20).map { record("orders", $0) })
    _ = try await west.produce((0..<12).map { record("east.orders", $0) })
    let syncs = [
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 0, downstreamOffset: 0),
      OffsetSync(topic: "orders", partition: 0, upstreamOffset: 11, downstreamOffset: 11),
    ]
    _ = try await east.produce(
      syncs.map { ProducerRecord(topic: flow.offsetSyncsTopic, partition: 0, key: $0.key, value: $0.value) })
    let measured = try await eventually("the lag of east->west counts the 8 unsynced records") {
      let flows = try json(try await f.get("/v1/status", as: "viewer"))["flows"] as? [[String: Any]] ?? []
      return flows.first { $0["flow"] as? String == "east->west" }?["recordsBehind"] as? Int == 8
    }
    try #require(measured)

    r.lab.region("east")!.fail()
    let moved = try await AutoFailoverTests.waitForEpoch(f, "orders", 3, seconds: 60)
    try #require((moved["active"] as? [String: Any])?["cluster"] as? String == "west")
    // East is dark: the bound the failover journaled.
    let bound = try json(try await f.get("/v1/services/orders/divergence", as: "viewer"))
    let dark = try #require(bound["divergence"] as? [String: Any], "\(bound)")
    #expect(dark["oldPrimaryAnswers"] as? Bool == false && dark["records"] as? Int == 8, "\(dark)")

    r.lab.region("east")!.recover()
    var view: [String: Any] = [:]
    let back = try await eventually("east answers and the tail is measured", timeout: .seconds(60)) {
      view = try json(try await f.get("/v1/services/orders/divergence", as: "viewer"))
      return (view["divergence"] as? [String: Any])?["oldPrimaryAnswers"] as? Bool == true
    }
    try #require(back, "\(view)")
    let d = try #require(view["divergence"] as? [String: Any])
    let p = try #require((d["partitions"] as? [[String: Any]])?.first { $0["topic"] as? String == "orders" })
    #expect(p["basis"] as? String == "matched" && p["tailStart"] as? Int == 12 && p["tailEnd"] as? Int == 20)
    #expect(p["records"] as? Int == 8 && (p["sampleKeys"] as? [String])?.first == "k12", "\(p)")
    #expect(p["firstTimestamp"] as? Int == 1_700_000_000_012 && p["lastTimestamp"] as? Int == 1_700_000_000_019)
    #expect(d["records"] as? Int == 8)

    // The status and the metric say it without being asked.
    let shown = try await eventually("the status and the metric show the tail") {
      let s = try json(try await f.get("/v1/status", as: "viewer"))
      let inStatus = (s["divergence"] as? [[String: Any]])?.first?["records"] as? Int == 8
      let metrics = try await f.get("/metrics").text
      return inStatus && metrics.contains(#"kafka_failover_unreplicated_records{service="orders",topic="orders"} 8"#)
    }
    #expect(shown)
    let cli = try await Failoverctl.run([
      "divergence", "orders", "--server", f.server.url, "--token", ServeFixture.tokens["viewer"]!,
    ])
    #expect(
      cli.status == 0 && cli.stdout.contains("8 records on east never reached west"), "\(cli.stdout)\(cli.stderr)")
    #expect(cli.stdout.contains("12..<20") && cli.stdout.contains("matched"), "\(cli.stdout)")

    // The failback plan names the tail and what consumers will see of it without a recovery.
    let plan = try json(
      try await f.post("/v1/services/orders/failback", #"{"dryRun": true, "reason": "look"}"#))
    #expect((plan["divergence"] as? [String: Any])?["records"] as? Int == 8, "\(plan)")
    let warnings = plan["warnings"] as? [String] ?? []
    #expect(warnings.contains { $0.contains("were not recovered") && $0.contains("failoverctl recover orders") })
    _ = await f.server.stop()
  }
}
