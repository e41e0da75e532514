import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A plain TCP connection to a loopback server, from a chosen source address, for tests
/// that need to hold connections open or send what no HTTP client library would.
final class RawHTTPConnection {
  let fd: Int32

  /// - Parameter from: the local address to connect from (`127.0.0.2` is another client).
  init(port: Int, from source: String = "127.0.0.1") throws {
    fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var local = sockaddr_in()
    local.sin_family = sa_family_t(AF_INET)
    local.sin_addr.s_addr = inet_addr(source)
    var remote = sockaddr_in()
    remote.sin_family = sa_family_t(AF_INET)
    remote.sin_port = UInt16(port).bigEndian
    remote.sin_addr.s_addr = inet_addr("127.0.0.1")
    let ok =
      withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      } == 0
      && withUnsafePointer(to: &remote) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      } == 0
    guard ok else {
      close(fd)
      throw POSIXError(.ECONNREFUSED)
    }
  }

  deinit { close(fd) }

  /// Closes the connection as a client that goes away does.
  func hangUp() { shutdown(fd, Int32(SHUT_RDWR)) }

  func send(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
  }

  func get(_ path: String, headers: String = "") { send("GET \(path) HTTP/1.1\r\nHost: t\r\n\(headers)\r\n") }

  /// What arrives within `limit` (until the server closes or nothing more comes).
  func read(within limit: Duration) -> String {
    var out: [UInt8] = []
    let deadline = ContinuousClock.now + limit
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while ContinuousClock.now < deadline {
      var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ms = max(1, Int32((deadline - ContinuousClock.now) / .milliseconds(1)))
      guard poll(&poller, 1, ms) > 0 else { break }
      let n = recv(fd, &buffer, buffer.count, 0)
      guard n > 0 else { break }
      out += buffer[..<n]
      // One whole answer with a body or none is enough for these tests.
      let text = String(decoding: out, as: UTF8.self)
      if let end = text.range(of: "\r\n\r\n"), let length = Self.contentLength(text),
        text.utf8.distance(from: text.utf8.startIndex, to: end.upperBound.samePosition(in: text.utf8)!) + length
          <= out.count
      {
        break
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  static func contentLength(_ text: String) -> Int? {
    guard let line = text.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
    else { return nil }
    return Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces))
  }
}
