import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The `Date` header's text (`Thu, 03 Dec 2026 05:24:40 GMT`), formatted once a second
/// rather than once a request.
enum HTTPDate {
  private static let cache = Mutex<(second: Int, text: String)>((-1, ""))

  static var now: String {
    var t = time(nil)
    return cache.withLock { c in
      if c.second != t {
        var parts = tm()
        gmtime_r(&t, &parts)
        var buffer = [CChar](repeating: 0, count: 40)
        // strftime's names are the C locale's: the English ones HTTP wants.
        let n = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        c = (t, String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self))
      }
      return c.text
    }
  }
}
