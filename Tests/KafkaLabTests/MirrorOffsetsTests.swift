import CurlHTTP
import Foundation
import KafkaClient
import KafkaConnect
import KafkaLab
import TestSupport
import Testing
import Topology

/// KIP-875 (`PUT .../stop`, `GET`/`PATCH .../offsets`) through failoverctl's Connect client
/// against the lab's Connect-style API: what a recovery does to the old primary's flow.
@Suite("Connector offsets moved past a recovered tail")
struct MirrorOffsetsTests {
  @Test func offsetsMoveOnlyWhenStoppedAndTheMirrorGoesOnFromThem() async throws {
    let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
    let topology = lab.topology
    let flow = try #require(topology.flow(from: "east", to: "west"))
    let east = try topology.cluster("east")!.makeClient()
    let west = try topology.cluster("west")!.makeClient()
    func records(_ range: Range<Int>) -> [ProducerRecord] {
      range.map { ProducerRecord(topic: "orders", partition: 0, value: Array("v\($0)".utf8)) }
    }
    _ = try await east.produce(records(0..<10))
    let mirror = try LabMirror(flow: flow, topology: topology, topics: ["orders"], groups: [])
    let running = Task { await mirror.run() }
    defer { running.cancel() }
    let copied = await eventually("the first 10 records are copied") { await mirror.copied == 10 }
    try #require(copied)
    await mirror.pause()
    _ = try await east.produce(records(10..<20))

    let (url, serving) = try await LabControlServer(lab: lab, mirrors: [mirror]).start(host: "127.0.0.1", port: 0)
    defer { serving.cancel() }
    let base = "\(url)/connect/\(Lab.slug(flow))"
    let http = HTTPClient()
    let skip = ConnectorOffsets(offsets: [.mirrorSource(cluster: "east", topic: "orders", partition: 0, next: 16)])
    // Connect refuses offsets of a connector that is not stopped, and says why.
    let refused = try await http.send(
      HTTPRequest(
        method: .patch, url: base + ConnectPath.offsets(flow.connectors.source),
        headers: [HTTPHeader("Content-Type", "application/json")], body: Array(try JSONEncoder().encode(skip))))
    #expect(refused.status == 400)
    #expect(String(decoding: refused.body, as: UTF8.self).contains("STOPPED"))

    let note = try await ConnectREST(http: http).alterOffsets(
      flow.connectors.source, skip, at: base, then: .resume, fencingToken: 7)
    #expect(note.contains("offsets of 1 partitions altered, then resumed"), "\(note)")
    // A connector Connect does not know: refused, with the code a caller can act on.
    await #expect {
      try await ConnectREST(http: http).alterOffsets(
        "no-such-connector", skip, at: base, then: .resume, fencingToken: 7)
    } throws: { ($0 as? ConnectError)?.code == .refused }
    // Records 10..<16 are skipped: the copy goes on at 16, as MirrorSourceTask seeks to the
    // stored offset plus one.
    let rest = await eventually("the mirror copies 16..<20") { await mirror.copied == 14 }
    try #require(rest)
    let tp = TopicPartition("east.orders", 0)
    let copies = try await west.read(tp, from: 10, until: 14)
    #expect(copies.map { String(decoding: $0.value ?? [], as: UTF8.self) } == ["v16", "v17", "v18", "v19"])
    let offsets = try JSONDecoder().decode(
      ConnectorOffsets.self, from: Data(try await http.get(base + ConnectPath.offsets(flow.connectors.source)).body))
    #expect(offsets.offsets.compactMap(\.mirrorSource).first { $0.topic == "orders" && $0.partition == 0 }?.next == 20)
  }

  @Test func mirrorSourceOffsetsAreWrittenAsMM2StoresThem() throws {
    let o = ConnectorOffset.mirrorSource(cluster: "east", topic: "orders", partition: 3, next: 42)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    let text = String(decoding: try encoder.encode(o), as: UTF8.self)
    #expect(text == #"{"offset":{"offset":41},"partition":{"cluster":"east","partition":3,"topic":"orders"}}"#)
    let back = try JSONDecoder().decode(ConnectorOffset.self, from: Data(text.utf8))
    #expect(back.mirrorSource?.next == 42 && back.mirrorSource?.partition == 3)
    // Another connector's keys are not read as MM2's.
    let other = ConnectorOffset(partition: ["table": .string("orders")], offset: ["incrementing": .int(5)])
    #expect(other.mirrorSource == nil)
  }
}
