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
    let (fd, port) = try Self.listenBelowEphemeral()
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
      let server = LoopbackRelay.connect(port: upstream)
      // Kept only if the gate is still open with this listener, checked under the lock
      // `close` takes: a connection accepted as the region went dark must not outlive it.
      let kept =
        server.map { server in
          state.withLock { s in
            guard s.listener == listener else { return false }
            s.open += [client, server]
            return true
          }
        } ?? false
      guard kept, let server else {
        if let server { Glibc.close(server) }
        Glibc.close(client)
        continue
      }
      // Both closed under the lock the list is read with when cutting: no descriptor
      // number is closed while in use or after it was reused.
      LoopbackRelay.relay(client, server) { [self] in
        state.withLock { s in
          s.open.removeAll { $0 == client || $0 == server }
          Glibc.close(client)
          Glibc.close(server)
        }
      }
    }
  }

  /// Ports below Linux's ephemeral range (32768-60999 by default): a port taken with
  /// `bind(0)` elsewhere (mock brokers, a server on port 0, a client's connection) is never
  /// one of these, so the gate finds its port free again when the region comes back, and
  /// the broker's port is not taken between choosing and binding it.
  static let quietPorts = 20_000..<32_000

  /// A listening socket on a free loopback port of `quietPorts`.
  static func listenBelowEphemeral() throws -> (Int32, Int) {
    for _ in 0..<200 {
      if let bound = try? listen(port: Int.random(in: quietPorts)) { return bound }
    }
    throw TansuError("no free loopback port in \(quietPorts)")
  }

  /// A port of `quietPorts` nothing listens on now, for a process to bind itself.
  static func freeQuietPort() throws -> Int {
    let (fd, port) = try listenBelowEphemeral()
    Glibc.close(fd)
    return port
  }

  /// A listening socket on a loopback port, close-on-exec (a child process must not
  /// keep it open: see `ChildProcess`).
  private static func listen(port: Int) throws -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw TansuError("socket: errno \(errno)") }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var addr = LoopbackRelay.address(port: port)
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
    }
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
