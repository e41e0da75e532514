import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A TCP forwarder on 127.0.0.1 in front of a broker process, the port clients are told
/// about: closing it takes the region dark as librdkafka's mock cluster does when a broker
/// is set down (connections closed, new ones refused: nothing listens on the port), while
/// the broker keeps its data for when the region comes back on the same port.
///
/// One thread per direction of each connection and one accepting: the lab's traffic is a
/// few connections per client, and none of it runs on Swift's cooperative threads.
final class BrokerGate: Sendable {
  let port: Int
  private let upstream: Int
  /// The listening socket while the gate is open; nil while it is closed.
  private let state = Mutex<(listener: Int32?, open: [Int32], stopped: Bool)>((nil, [], false))

  init(upstreamPort: Int) throws {
    upstream = upstreamPort
    let (fd, port) = try Self.listen(port: 0)
    self.port = port
    state.withLock { $0.listener = fd }
    Thread { [self] in acceptLoop(fd) }.start()
  }

  var isDown: Bool { state.withLock { $0.listener == nil } }

  /// Every connection is closed and nothing listens any more: new ones are refused.
  func close() {
    state.withLock { s in
      for fd in s.open { shutdown(fd, Int32(SHUT_RDWR)) }
      // shutdown wakes the thread blocked in accept(); closing here (not there) frees the
      // port before `open` binds it again.
      if let l = s.listener {
        shutdown(l, Int32(SHUT_RDWR))
        Glibc.close(l)
      }
      s.listener = nil
    }
  }

  /// Listens on the same port again.
  func open() {
    state.withLock { s in
      guard s.listener == nil, !s.stopped, let (fd, _) = try? Self.listen(port: port) else { return }
      s.listener = fd
      Thread { [self] in acceptLoop(fd) }.start()
    }
  }

  /// Closes for good.
  func stop() {
    state.withLock { $0.stopped = true }
    close()
  }

  private func acceptLoop(_ listener: Int32) {
    while true {
      let client = accept(listener, nil, nil)
      if client < 0 {
        // Closed by `close` (which owns the descriptor), or a transient error: go on.
        if state.withLock({ $0.listener == listener }) { continue }
        return
      }
      let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var addr = Self.address(port: upstream)
      let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      // Kept only if the gate is still open with this listener, checked under the lock
      // `close` takes: a connection accepted as the region went dark must not outlive it.
      let kept =
        connected == 0
        && state.withLock { s in
          guard s.listener == listener else { return false }
          s.open += [client, server]
          return true
        }
      guard kept else {
        Glibc.close(server)
        Glibc.close(client)
        continue
      }
      let finished = Mutex(0)
      // The second pump to end closes both, under the lock `close()` reads the list
      // with: no descriptor number is closed while in use or after it was reused.
      let done: @Sendable () -> Void = { [self] in
        guard
          finished.withLock({ n in
            n += 1
            return n == 2
          })
        else { return }
        state.withLock { s in
          s.open.removeAll { $0 == client || $0 == server }
          Glibc.close(client)
          Glibc.close(server)
        }
      }
      Thread {
        Self.pump(from: client, to: server)
        done()
      }.start()
      Thread {
        Self.pump(from: server, to: client)
        done()
      }.start()
    }
  }

  private static func pump(from: Int32, to: Int32) {
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

  static func address(port: Int) -> sockaddr_in {
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    return addr
  }

  /// A listening socket on a free loopback port, close-on-exec (a child process must not
  /// keep it open: see `ChildProcess`).
  private static func listen(port: Int) throws -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TansuError("socket: errno \(errno)") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var addr = address(port: port)
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    guard bound == 0, Glibc.listen(fd, 128) == 0 else {
      Glibc.close(fd)
      throw TansuError("cannot listen on a loopback port: errno \(errno)")
    }
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return (fd, Int(UInt16(bigEndian: addr.sin_port)))
  }
}
