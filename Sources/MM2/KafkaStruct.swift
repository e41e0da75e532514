/// Reads the primitive types of Kafka's `Struct` serialization (big-endian integers,
/// int16-length-prefixed UTF-8 strings: `Type.INT16/INT32/INT64/STRING` in Kafka's
/// `org.apache.kafka.common.protocol.types`), as MirrorMaker 2 writes its internal records
/// (the key and value schemas of `Checkpoint`, `OffsetSync` and `Heartbeat` in
/// `org.apache.kafka.connect.mirror`; byte for byte in ../shared/mm2-vectors.json). A
/// negative length is refused: their strings are `STRING`, not `NULLABLE_STRING`.
///
/// It reads the bytes where they are (librdkafka's buffer, or an array's storage) for the
/// duration of one decode, and names a field only when it fails: a follower decodes
/// hundreds of thousands of records a second, and a copy or a name built per field was a
/// measurable share of that (bench/README.md, ingest).
struct StructReader {
  private let bytes: UnsafeRawBufferPointer
  private(set) var position = 0
  let context: StaticString

  init(_ bytes: UnsafeRawBufferPointer, context: StaticString) {
    self.bytes = bytes
    self.context = context
  }

  var remaining: Int { bytes.count - position }

  private func field(_ name: StaticString) -> String { "\(context).\(name)" }

  private mutating func take(_ count: Int, _ name: StaticString) throws(MM2CodecError) -> UnsafeRawBufferPointer {
    guard count <= remaining else {
      throw .truncated(field: field(name), needed: count, available: remaining)
    }
    defer { position += count }
    return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
  }

  private mutating func integer<T: FixedWidthInteger>(_: T.Type, _ name: StaticString) throws(MM2CodecError) -> T {
    T(bigEndian: try take(MemoryLayout<T>.size, name).loadUnaligned(as: T.self))
  }

  mutating func int16(_ name: StaticString) throws(MM2CodecError) -> Int16 { try integer(Int16.self, name) }
  mutating func int32(_ name: StaticString) throws(MM2CodecError) -> Int32 { try integer(Int32.self, name) }
  mutating func int64(_ name: StaticString) throws(MM2CodecError) -> Int64 { try integer(Int64.self, name) }

  mutating func string(_ name: StaticString) throws(MM2CodecError) -> String {
    let length = try int16(name)
    guard length >= 0 else { throw .invalidLength(field: field(name), length: Int(length)) }
    let raw = try take(Int(length), name).assumingMemoryBound(to: UInt8.self)
    // Names are ASCII in practice, which is valid UTF-8 as it stands; anything else is
    // validated (and refused when invalid, never repaired).
    if raw.allSatisfy({ $0 < 0x80 }) { return String(decoding: raw, as: UTF8.self) }
    guard let s = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(field: field(name)) }
    return s
  }

  /// Every byte must have been consumed: trailing bytes mean a format this build does not know.
  func finish() throws(MM2CodecError) {
    guard remaining == 0 else { throw .trailingBytes(context: field("end"), count: remaining) }
  }
}

/// Runs `body` over the bytes of `key` and `value` in place: the array forms of the
/// decoders share the buffer forms.
func withBytes<T>(
  _ key: [UInt8], _ value: [UInt8],
  _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(MM2CodecError) -> T
) throws(MM2CodecError) -> T {
  let result: Result<T, MM2CodecError> = key.withUnsafeBytes { k in
    value.withUnsafeBytes { v in Result { () throws(MM2CodecError) -> T in try body(k, v) } }
  }
  return try result.get()
}

/// Writes Kafka `Struct` primitives.
struct StructWriter {
  private(set) var bytes: [UInt8] = []

  mutating func int16(_ v: Int16) { append(v) }
  mutating func int32(_ v: Int32) { append(v) }
  mutating func int64(_ v: Int64) { append(v) }

  mutating func string(_ s: String) {
    let utf8 = Array(s.utf8)
    precondition(utf8.count <= Int16.max, "Kafka STRING fields hold at most 32767 bytes")
    int16(Int16(utf8.count))
    bytes += utf8
  }

  private mutating func append<T: FixedWidthInteger>(_ v: T) {
    withUnsafeBytes(of: v.bigEndian) { bytes += $0 }
  }
}
