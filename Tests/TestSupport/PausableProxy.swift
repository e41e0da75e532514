import Foundation
import KafkaClient
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// A TCP proxy on 127.0.0.1 in front of one upstream port, that can be cut like a network
/// partition: `cut()` closes every connection through it and black-holes new ones (they
/// connect, then nothing answers, as when packets are dropped); `heal()` forwards again.
/// One thread per direction per connection; for tests only.
public final class PausableProxy: Sendable {
  public let port: Int
  private let upstream: Int
  private let listener: Int32
  private let state = Mutex<(cut: Bool, open: [Int32])>((false, []))

  public var url: String { "http://127.0.0.1:\(port)" }

  public init(upstreamPort: Int) throws {
    upstream = upstreamPort
    let (fd, port) = try LoopbackListener.open(backlog: 128)
    self.port = port
    listener = fd
    Thread { [self] in acceptLoop() }.start()
  }

  /// The partition: established connections are closed, new ones go unanswered.
  public func cut() {
    state.withLock { s in
      s.cut = true
      for fd in s.open { shutdown(fd, Int32(SHUT_RDWR)) }
    }
  }

  public func heal() { state.withLock { $0.cut = false } }

  /// Stops accepting (the listener closes once accept() wakes).
  public func stop() {
    cut()
    shutdown(listener, Int32(SHUT_RDWR))
  }

  private func acceptLoop() {
    while true {
      let client = accept(listener, nil, nil)
      if client < 0 {
        close(listener)
        return
      }
      if state.withLock({ $0.cut }) {
        // Black-holed: held open, never read, closed when the partition heals or ends.
        state.withLock { $0.open.append(client) }
        continue
      }
      let server = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
      var addr = LoopbackListener.address(port: upstream)
      let connected = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
          connect(server, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
      }
      guard connected == 0 else {
        close(server)
        close(client)
        continue
      }
      state.withLock { $0.open += [client, server] }
      let finished = Mutex(0)
      // The second pump to end closes both (under the lock that `cut` reads the list
      // with), so no descriptor number is closed while still in use or after reuse.
      let done: @Sendable () -> Void = { [self] in
        guard
          finished.withLock({ n in
            n += 1
            return n == 2
          })
        else { return }
        state.withLock { s in
          s.open.removeAll { $0 == client || $0 == server }
          close(client)
          close(server)
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
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
      let n = read(from, &buffer, buffer.count)
      if n <= 0 { break }
      var sent = 0
      while sent < n {
        let w = buffer.withUnsafeBytes { write(to, $0.baseAddress! + sent, n - sent) }
        if w <= 0 { break }
        sent += w
      }
      if sent < n { break }
    }
    shutdown(to, Int32(SHUT_RDWR))
    shutdown(from, Int32(SHUT_RDWR))
  }
}
