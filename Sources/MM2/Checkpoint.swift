/// MM2's checkpoint of one consumer group on one partition: the group's committed offset
/// upstream and its translation downstream (`MirrorCheckpointTask`, topic
/// `<source>.checkpoints.internal` on the target).
public struct Checkpoint: Sendable, Equatable, Hashable, Codable {
  public var group: String
  public var topic: String
  public var partition: Int32
  public var upstreamOffset: Int64
  public var downstreamOffset: Int64
  public var metadata: String

  public init(
    group: String, topic: String, partition: Int32, upstreamOffset: Int64, downstreamOffset: Int64,
    metadata: String = ""
  ) {
    self.group = group
    self.topic = topic
    self.partition = partition
    self.upstreamOffset = upstreamOffset
    self.downstreamOffset = downstreamOffset
    self.metadata = metadata
  }

  static let version: Int16 = 0

  /// Key: group, topic, partition. Value: version (int16), upstream, downstream, metadata.
  public static func decode(key: [UInt8], value: [UInt8]) throws(MM2CodecError) -> Checkpoint {
    try withBytes(key, value) { (k, v) throws(MM2CodecError) in try decode(key: k, value: v) }
  }

  /// The same, from bytes where they lie (a consumer's buffer), valid only during the call.
  public static func decode(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(MM2CodecError)
    -> Checkpoint
  {
    var k = StructReader(key, context: "checkpoint key")
    let group = try k.string("group")
    let topic = try k.string("topic")
    let partition = try k.int32("partition")
    try k.finish()
    var v = StructReader(value, context: "checkpoint value")
    let version = try v.int16("version")
    guard version == Self.version else { throw .unsupportedVersion(record: "checkpoint", version: version) }
    let upstream = try v.int64("upstreamOffset")
    let downstream = try v.int64("downstreamOffset")
    let metadata = try v.string("metadata")
    try v.finish()
    return Checkpoint(
      group: group, topic: topic, partition: partition, upstreamOffset: upstream, downstreamOffset: downstream,
      metadata: metadata)
  }

  public var key: [UInt8] {
    var w = StructWriter()
    w.string(group)
    w.string(topic)
    w.int32(partition)
    return w.bytes
  }

  public var value: [UInt8] {
    var w = StructWriter()
    w.int16(Self.version)
    w.int64(upstreamOffset)
    w.int64(downstreamOffset)
    w.string(metadata)
    return w.bytes
  }
}
