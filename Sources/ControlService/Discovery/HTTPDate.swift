import NIOCore
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The `Date` header (`Thu, 03 Dec 2026 05:24:40 GMT`) and the header lines that carry it,
/// formatted once a second rather than once a request.
enum HTTPDate {
  private static let cache = Mutex<(second: Int, text: String, lines: ByteBuffer)>((-1, "", ByteBuffer()))

  static var now: String { current().text }

  /// `Date: ...\r\nServer: failoverctl\r\n`.
  static var headerLines: ByteBuffer { current().lines }

  /// The second (since the epoch) the cached lines are for, with them.
  static var second: (Int, ByteBuffer) {
    let c = current()
    return (c.second, c.lines)
  }

  private static func current() -> (second: Int, text: String, lines: ByteBuffer) {
    var t = time(nil)
    return cache.withLock { c in
      if c.second != t {
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 40)
        // strftime's names are the C locale's: the English ones HTTP wants.
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        let text = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        c = (t, text, ByteBuffer(string: "Date: \(text)\r\nServer: \(ResponseEncoding.serverName)\r\n"))
      }
      return (c.second, c.text, c.lines)
    }
  }
}
