import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Relaying bytes between two loopback sockets, for the lab's broker gate and the tests'
/// pausable proxy: blocking calls, on threads of their own, never the cooperative pool.
public enum LoopbackRelay {
  /// A socket connected to 127.0.0.1:`port`, or nil when nothing accepts there.
  public static func connect(port: Int) -> Int32? {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return nil }
    var addr = address(port: port)
    let connected = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else {
      close(fd)
      return nil
    }
    return fd
  }

  /// Relays both ways, a thread per direction; `closed` runs once, after both ended (the
  /// caller closes the descriptors there, so none is closed while a pump still uses it).
  public static func relay(_ a: Int32, _ b: Int32, closed: @escaping @Sendable () -> Void) {
    let ended = Mutex(0)
    let done: @Sendable () -> Void = {
      let both = ended.withLock { n in
        n += 1
        return n == 2
      }
      if both { closed() }
    }
    Thread {
      pump(from: a, to: b)
      done()
    }.start()
    Thread {
      pump(from: b, to: a)
      done()
    }.start()
  }

  /// Copies `from` to `to` until either end closes, then shuts both down.
  public static func pump(from: Int32, to: Int32) {
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = read(from, &buffer, buffer.count)
      if n <= 0 { break }
      var sent = 0
      while sent < n {
        // MSG_NOSIGNAL: a peer that closed must end this pump, not the process (SIGPIPE).
        let w = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, n - sent, Int32(MSG_NOSIGNAL)) }
        if w <= 0 { break }
        sent += w
      }
      if sent < n { break }
    }
    shutdown(to, Int32(SHUT_RDWR))
    shutdown(from, Int32(SHUT_RDWR))
  }

  public static func address(port: Int) -> sockaddr_in {
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return addr
  }
}
