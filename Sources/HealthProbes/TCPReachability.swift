import Foundation
import KafkaClient

#if canImport(Glibc)
  import Glibc
#endif

/// Whether anything accepts TCP connections at host:port within a timeout: the line
/// between a slow region (it accepts, then answers late) and a dark one (it does not).
public enum TCPReachability {
  /// True when at least one of `hostPorts` accepts a connection.
  public static func anyAccepts(_ hostPorts: [String], timeout: Duration) async -> Bool {
    await withTaskGroup(of: Bool.self) { group in
      for hp in hostPorts { group.addTask { await accepts(hp, timeout: timeout) } }
      for await ok in group where ok {
        group.cancelAll()
        return true
      }
      return false
    }
  }

  public static func accepts(_ hostPort: String, timeout: Duration) async -> Bool {
    guard let colon = hostPort.lastIndex(of: ":"), let port = UInt16(hostPort[hostPort.index(after: colon)...]) else {
      return false
    }
    let host = String(hostPort[..<colon])
    let ms = Int32(clamping: Int64(timeout / .milliseconds(1)))
    // getaddrinfo and poll block: on the Kafka threads, never the cooperative pool.
    return (try? await KafkaThreads.run { connect(host: host, port: port, timeoutMs: ms) }) ?? false
  }

  private static func connect(host: String, port: UInt16, timeoutMs: Int32) -> Bool {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var info: UnsafeMutablePointer<addrinfo>? = nil
    guard getaddrinfo(host, String(port), &hints, &info) == 0, let first = info else { return false }
    defer { freeaddrinfo(info) }
    var ai: UnsafeMutablePointer<addrinfo>? = first
    while let a = ai {
      defer { ai = a.pointee.ai_next }
      let fd = socket(
        a.pointee.ai_family, a.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
        a.pointee.ai_protocol)
      guard fd >= 0 else { continue }
      defer { close(fd) }
      if Glibc.connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen) == 0 { return true }
      guard errno == EINPROGRESS else { continue }
      var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
      guard poll(&pfd, 1, timeoutMs) == 1 else { continue }
      var err: Int32 = 0
      var len = socklen_t(MemoryLayout<Int32>.size)
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
      if err == 0 { return true }
    }
    return false
  }
}
