import HTTPTypes
import NIOCore

/// HTTP/1.1 as discovery answers it, byte for byte: status lines, header blocks, the
/// chunks of an event stream. Heads end with their last header line: the `Date` and
/// `Server` lines and the blank line come at send time.
enum ResponseEncoding {
  static func head(_ status: HTTPResponse.Status, _ headers: HTTPFields) -> ByteBuffer {
    var text = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
    for field in headers { text += "\(field.name.rawName): \(field.value)\r\n" }
    return ByteBuffer(string: text)
  }

  /// One chunk of a chunked body.
  static func chunk(_ data: ByteBuffer) -> ByteBuffer {
    var out = ByteBuffer(string: String(data.readableBytes, radix: 16) + "\r\n")
    var data = data
    out.writeBuffer(&data)
    out.writeString("\r\n")
    return out
  }

  static let endOfHead = ByteBuffer(string: "\r\n")
  static let connectionClose = ByteBuffer(string: "Connection: close\r\n")
  static let lastChunk = ByteBuffer(string: "0\r\n\r\n")

  /// What Hummingbird's answers say in `Server` (the application's `serverName`).
  static let serverName = "failoverctl"
}
