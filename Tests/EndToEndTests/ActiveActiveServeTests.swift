import CurlHTTP
import Foundation
import KafkaClient
import KafkaLab
import Orchestrator
import TestSupport
import Testing
import Topology

/// An active-active service over a mirrored lab (flows both ways, a home per region), the
/// built `failoverctl serve` with the lab's active-active-standalone policy: east dies,
/// only east's clients move; they come home by a failback.
@Suite("Active-active through the built binary", .serialized)
struct ActiveActiveServeTests {
  static let eastGroup = "orders-processor-east"
  static let westGroup = "orders-processor-west"

  static func doc(_ f: ServeFixture, _ region: String) async throws -> (DiscoveryDocument, String?) {
    let r = try await f.get("/v1/services/orders/discovery?region=\(region)")
    return (try document(r), r.headers.first { $0.name.lowercased() == "etag" }?.value)
  }

  /// `GET /v1/failovers`.
  struct Failovers: Decodable { let failovers: [FailoverRecord] }

  static func committed(_ c: KafkaClient, _ group: String, _ topic: String) async throws -> Int64? {
    try await c.committedOffsets(group: group, partitions: [TopicPartition(topic, 0)])[TopicPartition(topic, 0)] ?? nil
  }

  @Test func eastFailsOnlyEastsClientsMoveAndAFailbackBringsThemHome() async throws {
    // orders asks for a conflict report (every key, a five-minute window).
    let fixture = try await ServeFixture.start(labArguments: ["--active-active", "--mirror"]) { yaml in
      var lines = yaml.components(separatedBy: "\n")
      if let i = lines.firstIndex(where: { $0.contains("policy: \"active-active-standalone\"") }) {
        lines.insert(contentsOf: ["    conflictReport:", "      window: 5m", "      sample: 1"], at: i + 1)
      }
      return lines.joined(separator: "\n")
    }
    defer { Task { _ = await fixture.stop() } }
    let topology = try TopologyLoader.load(path: fixture.topology).topology
    let east = try topology.cluster("east")!.makeClient()
    let west = try topology.cluster("west")!.makeClient()
    // Each region writes its own orders; the mirrors copy them both ways.
    _ = try await east.produce(
      (0..<30).map { ProducerRecord(topic: "orders", partition: 0, value: Array("e\($0)".utf8)) })
    _ = try await west.produce(
      (0..<40).map { ProducerRecord(topic: "orders", partition: 0, value: Array("w\($0)".utf8)) })
    let copied = try await eventually("west's records copied to east", every: .milliseconds(200)) {
      let e = try await east.watermarks(for: [TopicPartition("west.orders", 0)])[TopicPartition("west.orders", 0)]
      let w = try await west.watermarks(for: [TopicPartition("east.orders", 0)])[TopicPartition("east.orders", 0)]
      return e?.high == 40 && w?.high == 30
    }
    try #require(copied, "the mirrors did not copy both ways")
    // Each region's consumers have read part of everything, on their own cluster.
    let eastBook = GroupOffsetBook(bootstrapServers: topology.cluster("east")!.bootstrapServers)
    let westBook = GroupOffsetBook(bootstrapServers: topology.cluster("west")!.bootstrapServers)
    try await eastBook.commit(
      Self.eastGroup, [TopicPartition("orders", 0): 20, TopicPartition("west.orders", 0): 25])
    try await westBook.commit(
      Self.westGroup, [TopicPartition("orders", 0): 33, TopicPartition("east.orders", 0): 10])

    // Before: each region on its home, with its local topic and the other's copy.
    let (eastDoc, _) = try await Self.doc(fixture, "east")
    #expect(eastDoc.active.cluster == "east" && eastDoc.region == "east")
    #expect(eastDoc.topics.consume == ["orders", "west.orders"])
    let (westDoc, westETag) = try await Self.doc(fixture, "west")
    #expect(westDoc.active.cluster == "west" && westDoc.epoch == 1)
    let missing = try await fixture.get("/v1/services/orders/discovery")
    #expect(missing.status == 400 && missing.text.contains("east, west"), "\(missing.text)")
    // The sidecar, for west's clients; without a region it stops at once, naming them.
    let watched = try await Failoverctl.run([
      "watch", "orders", "--server", fixture.server.url, "--region", "west", "--once", "--format", "json",
    ])
    #expect(watched.status == 0, "\(watched.stderr)")
    let file = try JSONSerialization.jsonObject(with: Data(watched.stdout.utf8)) as? [String: Any] ?? [:]
    #expect(file["cluster"] as? String == "west" && file["clientRegion"] as? String == "west", "\(file)")
    let noRegion = try await Failoverctl.run(["watch", "orders", "--server", fixture.server.url, "--once"])
    #expect(noRegion.status == 1 && noRegion.stderr.contains("east, west"), "\(noRegion.stderr)")
    let westStream = EventStreamRecorder(fixture.server.url + "/v1/services/orders/events?region=west")
    #expect(await westStream.wait { $0.count == 1 })

    // The orchestrator has east's offsets: MM2's checkpoint of orders on west (its key names
    // the topic as it is on west, east.orders), and its own record of west.orders on east.
    let state = try await StateStore.open(path: fixture.db)
    let ready = try await eventually("the state is ready", every: .milliseconds(200)) {
      let recorded = try await state.groupOffsets(cluster: "east", group: Self.eastGroup)
      let checkpoints = try await state.checkpoints(flow: "east->west", groups: [Self.eastGroup])
      return recorded[TopicPartition("west.orders", 0)]?.0 == 25
        && checkpoints.contains { $0.checkpoint.topic == "east.orders" && $0.checkpoint.upstreamOffset == 20 }
    }
    try #require(ready, "offsets of east's group were not recorded")

    // The same customer's key written in both regions: Kafka keeps both; the report says so.
    _ = try await east.produce([
      ProducerRecord(topic: "orders", partition: 1, key: Array("customer-7".utf8), value: [1])
    ])
    _ = try await west.produce([
      ProducerRecord(topic: "orders", partition: 4, key: Array("customer-7".utf8), value: [2])
    ])
    var conflict: ConflictReport? = nil
    _ = try await eventually("a conflict reported", every: .milliseconds(200)) {
      conflict = try await fixture.status().conflicts.first { $0.service == "orders" }
      return (conflict?.conflictingWrites ?? 0) >= 1
    }
    #expect(conflict?.conflictingKeys == 1, "\(String(describing: conflict))")
    let example = conflict?.recent.first
    #expect(example?.key == "customer-7" && example?.clusters == ["east", "west"])

    // East dies; the policy moves east's clients to west.
    let lab = try #require(
      topology.flows.first?.connectURL.map { String($0[..<$0.range(of: "/connect/")!.lowerBound]) })
    #expect(try await Failoverctl.run(["lab", "fail", "east", "--lab", lab]).status == 0)
    let moved = try await eventually("east's clients moved", timeout: .seconds(60), every: .milliseconds(200)) {
      let (d, _) = try await Self.doc(fixture, "east")
      return d.active.cluster == "west" && d.epoch == 3
    }
    try #require(moved, "east's clients were not moved")
    let (eastAfter, _) = try await Self.doc(fixture, "east")
    #expect(eastAfter.topics.consume == ["orders", "east.orders"])
    #expect(eastAfter.consumerGroups == [Self.eastGroup])
    // West's clients: the same document, byte for byte, and no event on their stream.
    let (westAfter, westETagAfter) = try await Self.doc(fixture, "west")
    #expect(westETagAfter == westETag && westAfter.epoch == 1)
    try await Task.sleep(for: .seconds(1))
    #expect(westStream.ids == [1], "\(westStream.ids)")
    await westStream.stop()
    // East's group on west: its own orders as east.orders (at most the 20 it had read),
    // and west's orders (at most the 25 it had read as west.orders).
    let onCopy = try #require(try await Self.committed(west, Self.eastGroup, "east.orders"))
    let onLocal = try #require(try await Self.committed(west, Self.eastGroup, "orders"))
    print("active-active: east's group on west: east.orders \(onCopy) (read 20), orders \(onLocal) (read 25)")
    #expect((1...20).contains(onCopy) && (1...25).contains(onLocal))
    // West's own group was not touched.
    #expect(try await Self.committed(west, Self.westGroup, "orders") == 33)
    #expect(try await Self.committed(west, Self.westGroup, "east.orders") == 10)
    let failovers = try decoded(
      try await fixture.get("/v1/failovers?service=orders@east", as: "viewer"), as: Failovers.self
    ).failovers
    #expect(failovers.count == 1 && failovers.first?.service == "orders@east", "\(failovers)")
    let all = try decoded(try await fixture.get("/v1/failovers?service=orders", as: "viewer"), as: Failovers.self)
    #expect(all.failovers.map(\.service) == ["orders@east"])

    // East is back; its clients read on in west meanwhile; a failback brings them home.
    #expect(try await Failoverctl.run(["lab", "recover", "east", "--lab", lab]).status == 0)
    try await westBook.commit(Self.eastGroup, [TopicPartition("orders", 0): 40, TopicPartition("east.orders", 0): 30])
    let up = try await eventually("east is up again", every: .milliseconds(200)) {
      try await fixture.status().clusters.first { $0.cluster == "east" }?.state == .healthy
    }
    try #require(up, "east did not come back healthy")
    let back = try await fixture.switchOver(
      "/v1/services/orders/failback", #"{"region": "east", "reason": "east is back"}"#)
    #expect(back.status == .succeeded, "\(back)")
    let (home, _) = try await Self.doc(fixture, "east")
    #expect(home.active.cluster == "east" && home.epoch == 5)
    let homeLocal = try #require(try await Self.committed(east, Self.eastGroup, "orders"))
    let homeCopy = try #require(try await Self.committed(east, Self.eastGroup, "west.orders"))
    print(
      "active-active: after failback, east's group on east: orders \(homeLocal) (read 30), west.orders \(homeCopy) (read 40)"
    )
    // Never past what the group read on west (no loss), never behind where it was on east
    // (a translation behind the group's offset there is not written back).
    #expect((20...30).contains(homeLocal) && (25...40).contains(homeCopy))
    let (westFinal, westETagFinal) = try await Self.doc(fixture, "west")
    #expect(westETagFinal == westETag && westFinal.epoch == 1)
  }
}
