/// MM2's liveness record (`MirrorHeartbeatTask`, topic `heartbeats`), replicated like any
/// topic: its age on the target measures the time replication is behind.
public struct Heartbeat: Sendable, Equatable, Hashable, Codable {
  public var sourceClusterAlias: String
  public var targetClusterAlias: String
  /// Milliseconds since the epoch when the heartbeat was emitted.
  public var timestamp: Int64

  public init(sourceClusterAlias: String, targetClusterAlias: String, timestamp: Int64) {
    self.sourceClusterAlias = sourceClusterAlias
    self.targetClusterAlias = targetClusterAlias
    self.timestamp = timestamp
  }

  static let version: Int16 = 0

  /// Key: source alias, target alias. Value: version (int16), timestamp.
  public static func decode(key: [UInt8], value: [UInt8]) throws(MM2CodecError) -> Heartbeat {
    try withBytes(key, value) { (k, v) throws(MM2CodecError) in try decode(key: k, value: v) }
  }

  /// The same, from bytes where they lie (a consumer's buffer), valid only during the call.
  public static func decode(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(MM2CodecError)
    -> Heartbeat
  {
    var k = StructReader(key, context: "heartbeat key")
    let source = try k.string("sourceClusterAlias")
    let target = try k.string("targetClusterAlias")
    try k.finish()
    var v = StructReader(value, context: "heartbeat value")
    let version = try v.int16("version")
    guard version == Self.version else { throw .unsupportedVersion(record: "heartbeat", version: version) }
    let timestamp = try v.int64("timestamp")
    try v.finish()
    return Heartbeat(sourceClusterAlias: source, targetClusterAlias: target, timestamp: timestamp)
  }

  public var key: [UInt8] {
    var w = StructWriter()
    w.string(sourceClusterAlias)
    w.string(targetClusterAlias)
    return w.bytes
  }

  public var value: [UInt8] {
    var w = StructWriter()
    w.int16(Self.version)
    w.int64(timestamp)
    return w.bytes
  }
}
