/// MM2's record that upstream offset U of a partition was replicated as downstream
/// offset D (`MirrorSourceTask`, topic `mm2-offset-syncs.<target>.internal`).
public struct OffsetSync: Sendable, Equatable, Hashable, Codable {
  public var topic: String
  public var partition: Int32
  public var upstreamOffset: Int64
  public var downstreamOffset: Int64

  public init(topic: String, partition: Int32, upstreamOffset: Int64, downstreamOffset: Int64) {
    self.topic = topic
    self.partition = partition
    self.upstreamOffset = upstreamOffset
    self.downstreamOffset = downstreamOffset
  }

  /// Key: topic, partition. Value: upstream, downstream (no version header).
  public static func decode(key: [UInt8], value: [UInt8]) throws(MM2CodecError) -> OffsetSync {
    try withBytes(key, value) { (k, v) throws(MM2CodecError) in try decode(key: k, value: v) }
  }

  /// The same, from bytes where they lie (a consumer's buffer), valid only during the call.
  public static func decode(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(MM2CodecError)
    -> OffsetSync
  {
    var k = StructReader(key, context: "offset-sync key")
    let topic = try k.string("topic")
    let partition = try k.int32("partition")
    try k.finish()
    var v = StructReader(value, context: "offset-sync value")
    let upstream = try v.int64("upstreamOffset")
    let downstream = try v.int64("downstreamOffset")
    try v.finish()
    return OffsetSync(topic: topic, partition: partition, upstreamOffset: upstream, downstreamOffset: downstream)
  }

  public var key: [UInt8] {
    var w = StructWriter()
    w.string(topic)
    w.int32(partition)
    return w.bytes
  }

  public var value: [UInt8] {
    var w = StructWriter()
    w.int64(upstreamOffset)
    w.int64(downstreamOffset)
    return w.bytes
  }
}
