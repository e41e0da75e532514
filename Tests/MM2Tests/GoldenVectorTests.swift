import Foundation
import MM2
import Testing

/// `../shared/mm2-vectors.json`: byte vectors of MM2's internal records.
struct GoldenVectors {
  struct Vector: Decodable {
    let type: String
    let key: String
    let value: String
    let decoded: [String: Decoded]
  }

  enum Decoded: Decodable, Equatable {
    case int(Int64)
    case string(String)
    init(from decoder: Decoder) throws {
      let c = try decoder.singleValueContainer()
      if let i = try? c.decode(Int64.self) { self = .int(i) } else { self = .string(try c.decode(String.self)) }
    }
  }

  let vectors: [Vector]

  static func load() throws -> GoldenVectors {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let file =
      ProcessInfo.processInfo.environment["MM2_VECTORS"]
      ?? root.deletingLastPathComponent().appendingPathComponent("shared/mm2-vectors.json").path
    struct File: Decodable { let vectors: [Vector] }
    let data = try Data(contentsOf: URL(fileURLWithPath: file))
    return GoldenVectors(vectors: try JSONDecoder().decode(File.self, from: data).vectors)
  }
}

func hex(_ s: String) -> [UInt8] {
  var out: [UInt8] = []
  var i = s.startIndex
  while i < s.endIndex {
    let j = s.index(i, offsetBy: 2)
    out.append(UInt8(s[i..<j], radix: 16)!)
    i = j
  }
  return out
}

@Suite("MM2 record codecs")
struct GoldenVectorTests {
  @Test func everyGoldenVectorDecodesAndEncodesBackToTheSameBytes() throws {
    let golden = try GoldenVectors.load()
    #expect(golden.vectors.count >= 5)
    for v in golden.vectors {
      let key = hex(v.key)
      let value = hex(v.value)
      let d = v.decoded
      switch v.type {
      case "checkpoint":
        let c = try Checkpoint.decode(key: key, value: value)
        #expect(d["group"] == .string(c.group))
        #expect(d["topic"] == .string(c.topic))
        #expect(d["partition"] == .int(Int64(c.partition)))
        #expect(d["upstreamOffset"] == .int(c.upstreamOffset))
        #expect(d["downstreamOffset"] == .int(c.downstreamOffset))
        #expect(d["metadata"] == .string(c.metadata))
        #expect(c.key == key && c.value == value)
      case "offset-sync":
        let s = try OffsetSync.decode(key: key, value: value)
        #expect(d["topic"] == .string(s.topic))
        #expect(d["partition"] == .int(Int64(s.partition)))
        #expect(d["upstreamOffset"] == .int(s.upstreamOffset))
        #expect(d["downstreamOffset"] == .int(s.downstreamOffset))
        #expect(s.key == key && s.value == value)
      case "heartbeat":
        let h = try Heartbeat.decode(key: key, value: value)
        #expect(d["sourceClusterAlias"] == .string(h.sourceClusterAlias))
        #expect(d["targetClusterAlias"] == .string(h.targetClusterAlias))
        #expect(d["timestamp"] == .int(h.timestamp))
        #expect(h.key == key && h.value == value)
      default:
        Issue.record("unknown vector type \(v.type)")
      }
    }
  }

  @Test func roundTripsArbitraryRecords() throws {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<500 {
      let c = Checkpoint(
        group: "g-\(Int.random(in: 0...1_000_000, using: &rng))é", topic: "t.\(Int.random(in: 0...99, using: &rng))",
        partition: Int32.random(in: 0...Int32.max, using: &rng), upstreamOffset: Int64.random(in: 0...Int64.max),
        downstreamOffset: Int64.random(in: 0...Int64.max), metadata: Bool.random() ? "" : "meta-✓")
      #expect(try Checkpoint.decode(key: c.key, value: c.value) == c)
      let s = OffsetSync(topic: c.topic, partition: c.partition, upstreamOffset: c.upstreamOffset, downstreamOffset: 7)
      #expect(try OffsetSync.decode(key: s.key, value: s.value) == s)
      let h = Heartbeat(
        sourceClusterAlias: "east", targetClusterAlias: "west", timestamp: Int64.random(in: 0...Int64.max))
      #expect(try Heartbeat.decode(key: h.key, value: h.value) == h)
    }
  }

  @Test func everyTruncationIsATypedError() {
    let c = Checkpoint(group: "orders-svc", topic: "orders", partition: 3, upstreamOffset: 1500, downstreamOffset: 1420)
    for n in 0..<c.key.count {
      #expect(throws: MM2CodecError.self) { try Checkpoint.decode(key: Array(c.key.prefix(n)), value: c.value) }
    }
    for n in 0..<c.value.count {
      #expect(throws: MM2CodecError.self) { try Checkpoint.decode(key: c.key, value: Array(c.value.prefix(n))) }
    }
    let s = OffsetSync(topic: "orders", partition: 1, upstreamOffset: 5, downstreamOffset: 4)
    for n in 0..<s.value.count {
      #expect(throws: MM2CodecError.self) { try OffsetSync.decode(key: s.key, value: Array(s.value.prefix(n))) }
    }
  }

  @Test func oversizedUnknownVersionAndBadLengthsAreTypedErrors() {
    let c = Checkpoint(group: "g", topic: "t", partition: 0, upstreamOffset: 1, downstreamOffset: 1)
    #expect(throws: MM2CodecError.trailingBytes(context: "checkpoint value.end", count: 1)) {
      try Checkpoint.decode(key: c.key, value: c.value + [0])
    }
    var v1 = c.value
    v1[1] = 1
    #expect(throws: MM2CodecError.unsupportedVersion(record: "checkpoint", version: 1)) {
      try Checkpoint.decode(key: c.key, value: v1)
    }
    let h = Heartbeat(sourceClusterAlias: "a", targetClusterAlias: "b", timestamp: 1)
    var hv = h.value
    hv[0] = 0x7f
    #expect(throws: MM2CodecError.self) { try Heartbeat.decode(key: h.key, value: hv) }
    // A string length of -1 (Kafka's null) or one past the end.
    #expect(throws: MM2CodecError.invalidLength(field: "offset-sync key.topic", length: -1)) {
      try OffsetSync.decode(key: [0xff, 0xff, 0, 0, 0, 0], value: [UInt8](repeating: 0, count: 16))
    }
    #expect(throws: MM2CodecError.self) {
      try OffsetSync.decode(key: [0x7f, 0xff, 0x41], value: [UInt8](repeating: 0, count: 16))
    }
    #expect(throws: MM2CodecError.invalidUTF8(field: "offset-sync key.topic")) {
      try OffsetSync.decode(key: [0, 2, 0xc3, 0x28, 0, 0, 0, 0], value: [UInt8](repeating: 0, count: 16))
    }
  }

  @Test func topicNamingFollowsMM2() {
    let d = ReplicationNaming(policy: .prefixed, sourceAlias: "east", targetAlias: "west")
    #expect(d.remoteTopic("orders") == "east.orders")
    #expect(d.upstreamTopic("east.orders") == "orders")
    #expect(d.upstreamTopic("west.orders") == nil)
    #expect(d.checkpointsTopic == "east.checkpoints.internal")
    #expect(d.offsetSyncsTopic == "mm2-offset-syncs.west.internal")
    #expect(d.remoteHeartbeatsTopic == "east.heartbeats")
    let u = ReplicationNaming(policy: .prefixed, separator: "_", sourceAlias: "east", targetAlias: "west")
    #expect(u.remoteTopic("orders") == "east_orders")
    #expect(u.checkpointsTopic == "east_checkpoints_internal")
    #expect(u.offsetSyncsTopic == "mm2-offset-syncs_west_internal")
    let i = ReplicationNaming(policy: .identity, sourceAlias: "east", targetAlias: "west")
    #expect(i.remoteTopic("orders") == "orders")
    #expect(i.remoteHeartbeatsTopic == "east.heartbeats")
  }
}
