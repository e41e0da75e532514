/// Reads the primitive types of Kafka's `Struct` serialization (big-endian integers,
/// int16-length-prefixed UTF-8 strings), as MirrorMaker 2 writes its internal records.
struct StructReader {
  private let bytes: [UInt8]
  private(set) var position = 0
  let field: (String) -> String

  init(_ bytes: [UInt8], context: String) {
    self.bytes = bytes
    self.field = { "\(context).\($0)" }
  }

  var remaining: Int { bytes.count - position }

  private mutating func take(_ count: Int, _ name: String) throws(MM2CodecError) -> ArraySlice<UInt8> {
    guard count <= remaining else {
      throw .truncated(field: field(name), needed: count, available: remaining)
    }
    defer { position += count }
    return bytes[position..<position + count]
  }

  private mutating func integer<T: FixedWidthInteger>(_: T.Type, _ name: String) throws(MM2CodecError) -> T {
    var value: T = 0
    for byte in try take(MemoryLayout<T>.size, name) { value = value << 8 | T(byte) }
    return value
  }

  mutating func int16(_ name: String) throws(MM2CodecError) -> Int16 { try integer(Int16.self, name) }
  mutating func int32(_ name: String) throws(MM2CodecError) -> Int32 { try integer(Int32.self, name) }
  mutating func int64(_ name: String) throws(MM2CodecError) -> Int64 { try integer(Int64.self, name) }

  mutating func string(_ name: String) throws(MM2CodecError) -> String {
    let length = try int16(name)
    guard length >= 0 else { throw .invalidLength(field: field(name), length: Int(length)) }
    let raw = try take(Int(length), name)
    guard let s = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8(field: field(name)) }
    return s
  }

  /// Every byte must have been consumed: trailing bytes mean a format this build does not know.
  func finish() throws(MM2CodecError) {
    guard remaining == 0 else { throw .trailingBytes(context: field("end"), count: remaining) }
  }
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
