import Synchronization
import Topology

/// What one server holds at once, counted where connections and waits begin and end:
/// open connections, and each client address's long-polls and event streams. Beyond a
/// bound the server answers at once (503, 429) instead of growing.
final class ServerLimits: Sendable {
  let maxConnections: Int
  let maxWaitsPerClient: Int
  let maxHeaderBytes: Int
  private let connections = Atomic(0)
  private let waits = Mutex<[String: Int]>([:])

  init(_ settings: APISettings) {
    maxConnections = settings.maxConnections
    maxWaitsPerClient = settings.maxWaitsPerClient
    maxHeaderBytes = settings.maxHeaderBytes
  }

  /// A new connection: true when it may stay (then `connectionClosed` when it ends).
  func admitConnection() -> Bool {
    let now = connections.add(1, ordering: .relaxed).newValue
    guard now > maxConnections else { return true }
    connections.subtract(1, ordering: .relaxed)
    return false
  }

  func connectionClosed() { connections.subtract(1, ordering: .relaxed) }

  var openConnections: Int { connections.load(ordering: .relaxed) }

  /// One more long-poll or stream for `address`: true when under its bound (then
  /// `waitEnded` when it ends).
  func admitWait(from address: String) -> Bool {
    waits.withLock { w in
      let held = w[address, default: 0]
      guard held < maxWaitsPerClient else { return false }
      w[address] = held + 1
      return true
    }
  }

  func waitEnded(from address: String) {
    waits.withLock { w in
      let held = (w[address] ?? 1) - 1
      w[address] = held > 0 ? held : nil
    }
  }
}
