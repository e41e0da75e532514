import Foundation
import KafkaClient
import KafkaLab
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

@Suite("The lab's MM2-style mirror, read back by the orchestrator's own MM2 code")
struct LabMirrorTests {
  @Test func copiesRecordsAndEmitsSyncsCheckpointsAndHeartbeatsMM2Reads() async throws {
    let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
    let topology = lab.topology
    let flow = try #require(topology.flow(from: "east", to: "west"))
    let east = try topology.cluster("east")!.makeClient()
    let west = try topology.cluster("west")!.makeClient()
    // West already has 7 records in east.orders[0]: downstream offsets are shifted, so
    // the mirror's syncs must carry the real mapping.
    _ = try await west.produce(
      (0..<7).map { ProducerRecord(topic: "east.orders", partition: 0, value: Array("x\($0)".utf8)) })
    let records = (0..<300).map { i in
      ProducerRecord(
        topic: "orders", partition: Int32(i % 2), key: Array("k\(i)".utf8), value: Array("v\(i)".utf8),
        timestamp: 1_700_000_000_000 + Int64(i), headers: [KafkaHeader(key: "trace", value: Array("t\(i)".utf8))])
    }
    _ = try await east.produce(records)
    _ = try await east.alterGroupOffsets(
      group: "orders-processor", offsets: [TopicPartition("orders", 0): 120, TopicPartition("orders", 1): 150])

    var settings = MirrorSettings()
    settings.checkpointInterval = .milliseconds(200)
    settings.heartbeatInterval = .milliseconds(200)
    let mirror = try LabMirror(
      flow: flow, topology: topology, topics: ["orders", "payments"], groups: ["orders-processor"], settings: settings)
    let running = Task { await mirror.run() }
    defer { running.cancel() }
    #expect(
      await eventually("300 records copied", timeout: .seconds(10), every: .milliseconds(50)) {
        await mirror.copied >= 300
      })
    #expect(await mirror.copied == 300)

    // Same records, keys, values, headers and timestamps, in order, on the remote topic.
    let copies = try await west.read(TopicPartition("east.orders", 0), from: 7, until: 157)
    #expect(copies.count == 150)
    #expect(copies.first?.key == Array("k0".utf8))
    #expect(copies.first?.value == Array("v0".utf8))
    #expect(copies.first?.timestamp == 1_700_000_000_000)
    #expect(copies.first?.headers == [KafkaHeader(key: "trace", value: Array("t0".utf8))])
    #expect(copies.last?.value == Array("v298".utf8))

    // The orchestrator's ingester reads it all as MM2's, and the flow shows no lag.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mirror-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try await StateStore.open(path: dir.appendingPathComponent("s.db").path)
    // The first checkpoint and heartbeat wait for the mock to create their topics.
    let ingester = try MM2Ingester(flow: flow, topology: topology, store: store)
    var stats = MM2Ingester.Stats()
    _ = try await eventually(
      "two checkpoints and a heartbeat ingested", timeout: .seconds(10), every: .milliseconds(200)
    ) {
      stats.add(try await ingester.catchUp(timeout: .seconds(10)))
      return stats.checkpoints >= 2 && stats.heartbeats >= 1
    }
    #expect(stats.poison == 0)
    #expect(stats.offsetSyncs >= 2)
    #expect(stats.checkpoints >= 2)
    #expect(stats.heartbeats >= 1)
    let lag = try await FlowLag.measure(flow: flow, store: store, source: east)
    #expect(lag.recordsBehind == 0)
    #expect(lag.heartbeatAgeSeconds != nil)
    // Translated through the mirror's checkpoints, as MM2 translates: partition 0 is shifted
    // by 7 and its newest sync at or below 120 is 100 -> 107, so the group resumes at 108
    // (never past a record it has not consumed; 12 re-delivered). Partition 1 was synced at
    // its last record, 149, so 150 maps exactly.
    let translations = try await TranslationPlanner(flow: flow, topology: topology, store: store)
      .translate(groups: ["orders-processor"], mode: .checkpoint)
    let byPartition = Dictionary(uniqueKeysWithValues: translations.map { ($0.partition, $0.translatedOffset) })
    #expect(byPartition[0] == 108)
    #expect(byPartition[1] == 150)
  }

  @Test func aCappedMirrorFallsBehindAndAPausedOneStops() async throws {
    let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
    let topology = lab.topology
    let flow = try #require(topology.flow(from: "east", to: "west"))
    let east = try topology.cluster("east")!.makeClient()
    _ = try await east.produce(
      (0..<400).map { ProducerRecord(topic: "orders", partition: 0, value: Array("v\($0)".utf8)) })
    var settings = MirrorSettings()
    settings.maxRecordsPerSecond = 100
    let mirror = try LabMirror(flow: flow, topology: topology, topics: ["orders"], groups: [], settings: settings)
    let running = Task { await mirror.run() }
    defer { running.cancel() }
    #expect(await eventually("the mirror copies", timeout: .seconds(10)) { await mirror.copied > 0 })
    let started = await mirror.copied
    try await Task.sleep(for: .seconds(1))
    // About 100 a second: well short of the 400 waiting.
    let copied = await mirror.copied
    #expect(copied - started <= 200)
    #expect(copied < 400)
    await mirror.pause()
    try await Task.sleep(for: .milliseconds(300))
    let atPause = await mirror.copied
    try await Task.sleep(for: .milliseconds(700))
    #expect(await mirror.copied == atPause)
  }

  /// Recovered copies carry origin headers; MM2 (configured with Connect's Filter transform
  /// on them) leaves them where they are, and the mirror does the same: replicating back
  /// would bring a region's own records home as new ones. The offsets they take are a gap
  /// the next offset-sync covers.
  @Test func recoveredCopiesAreNotReplicatedAgain() async throws {
    let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
    let topology = lab.topology
    let flow = try #require(topology.flow(from: "west", to: "east"))
    let west = try topology.cluster("west")!.makeClient()
    let origin = [KafkaHeader(key: OriginHeader.cluster, value: Array("east".utf8))]
    _ = try await west.produce([
      ProducerRecord(topic: "orders", partition: 0, value: Array("w0".utf8)),
      ProducerRecord(topic: "orders", partition: 0, value: Array("r0".utf8), headers: origin),
      ProducerRecord(topic: "orders", partition: 0, value: Array("r1".utf8), headers: origin),
      ProducerRecord(topic: "orders", partition: 0, value: Array("w1".utf8)),
    ])
    let mirror = try LabMirror(flow: flow, topology: topology, topics: ["orders"], groups: [])
    let running = Task { await mirror.run() }
    defer { running.cancel() }
    let east = try topology.cluster("east")!.makeClient()
    let copy = TopicPartition("west.orders", 0)
    let copied = await eventually("the mirror copied west's own records") {
      await mirror.copied == 2
    }
    #expect(copied)
    let values = try await east.read(copy, from: 0, until: 2, timeout: .seconds(5)).map {
      String(decoding: $0.value ?? [], as: UTF8.self)
    }
    #expect(values == ["w0", "w1"])
  }
}
