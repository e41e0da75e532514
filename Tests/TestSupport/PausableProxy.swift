import Foundation
import KafkaClient
import KafkaLab
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
      guard let server = LoopbackRelay.connect(port: upstream) else {
        close(client)
        continue
      }
      state.withLock { $0.open += [client, server] }
      // Both closed under the lock the list is read with when cutting: no descriptor
      // number is closed while in use or after it was reused.
      LoopbackRelay.relay(client, server) { [self] in
        state.withLock { s in
          s.open.removeAll { $0 == client || $0 == server }
          close(client)
          close(server)
        }
      }
    }
  }
}
