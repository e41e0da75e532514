import CurlHTTP
import DiscoveryClient
import Foundation
import Synchronization

/// An event-stream client for tests: follows one URL and keeps every event and how many
/// heartbeats came, until stopped.
final class EventStreamRecorder: Sendable {
  private let state = Mutex((parser: EventStreamParser(), events: [ServerSentEvent](), status: 0))
  private let task: Mutex<Task<Void, Never>?> = Mutex(nil)
  private let http = HTTPClient(maxConcurrentRequests: 1)

  init(_ url: String, lastEventID: Int64? = nil) {
    let headers = lastEventID.map { [HTTPHeader("Last-Event-ID", "\($0)")] } ?? []
    let t = Task { [self] in
      let r = try? await http.stream(HTTPRequest(method: .get, url: url, headers: headers, timeout: .seconds(120))) {
        chunk in
        self.record(chunk)
        return true
      }
      state.withLock { $0.status = r?.status ?? -1 }
    }
    task.withLock { $0 = t }
  }

  private func record(_ chunk: [UInt8]) {
    state.withLock { s in s.events += s.parser.feed(chunk) }
  }

  var events: [ServerSentEvent] { state.withLock { $0.events } }
  var heartbeats: Int { state.withLock { $0.parser.comments } }
  /// The epochs of the events so far.
  var ids: [Int64] { events.compactMap { $0.id.flatMap { Int64($0) } } }

  /// Waits until `condition` holds for the events, within `limit`.
  func wait(within limit: Duration = .seconds(20), until condition: ([ServerSentEvent]) -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      if condition(events) { return true }
      try? await Task.sleep(for: .milliseconds(50))
    }
    return condition(events)
  }

  /// Whether the server ended the stream within `limit`.
  func ended(within limit: Duration) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      if state.withLock({ $0.status != 0 }) { return true }
      try? await Task.sleep(for: .milliseconds(50))
    }
    return false
  }

  func stop() async {
    let t = task.withLock { $0 }
    t?.cancel()
    await t?.value
  }
}
