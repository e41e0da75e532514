/// Why bytes are not a valid MirrorMaker 2 record. Never a crash: a poison record is
/// reported and skipped by whoever reads it.
public enum MM2CodecError: Error, Sendable, Equatable, CustomStringConvertible {
  case truncated(field: String, needed: Int, available: Int)
  case trailingBytes(context: String, count: Int)
  case invalidLength(field: String, length: Int)
  case invalidUTF8(field: String)
  case unsupportedVersion(record: String, version: Int16)
  case missing(part: String)

  public var description: String {
    switch self {
    case .truncated(let field, let needed, let available):
      "truncated at \(field): needs \(needed) bytes, \(available) left"
    case .trailingBytes(let context, let count): "\(count) unexpected trailing bytes after \(context)"
    case .invalidLength(let field, let length): "invalid length \(length) for \(field)"
    case .invalidUTF8(let field): "\(field) is not valid UTF-8"
    case .unsupportedVersion(let record, let version):
      "unsupported \(record) value version \(version) (this build reads 0)"
    case .missing(let part): "record has no \(part)"
    }
  }
}
