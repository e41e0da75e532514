import Foundation
import Orchestrator
import Synchronization

/// The background services of one running control service: which run, which are down and
/// why, how often each was started again. `/v1/status` and `/readyz` read it.
public final class BackgroundBoard: Sendable {
  private let entries = Mutex<[String: StatusView.BackgroundEntry]>([:])

  public init() {}

  func running(_ name: String) {
    entries.withLock { e in
      let restarts = e[name]?.restarts ?? 0
      e[name] = .init(service: name, state: .running, restarts: restarts, lastError: e[name]?.lastError, since: Date())
    }
  }

  func down(_ name: String, error: String) {
    entries.withLock { e in
      let restarts = (e[name]?.restarts ?? 0) + 1
      e[name] = .init(service: name, state: .down, restarts: restarts, lastError: error, since: Date())
    }
  }

  /// Every service, by name.
  public var all: [StatusView.BackgroundEntry] {
    entries.withLock { $0.values.sorted { $0.service < $1.service } }
  }

  /// The names of the services that are down now.
  public var down: [String] { all.filter { $0.state == .down }.map(\.service) }
}
