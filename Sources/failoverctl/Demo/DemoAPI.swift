import ControlService
import CurlHTTP
import Foundation
import Orchestrator
import Synchronization

/// The demo's calls to the control service: the same HTTP API and token an operator's
/// `failoverctl promote` or `failback` uses.
struct DemoAPI: Sendable {
  let base: String
  let token: String
  private let http = HTTPClient(maxConcurrentRequests: 2)

  init(base: String, token: String) {
    self.base = base
    self.token = token
  }

  private var headers: [HTTPHeader] {
    [HTTPHeader("Authorization", "Bearer \(token)"), HTTPHeader("Content-Type", "application/json")]
  }

  func post(_ path: String, _ body: String) async throws {
    let r = try await http.send(
      HTTPRequest(method: .post, url: base + path, headers: headers, body: Array(body.utf8), timeout: .seconds(30)))
    guard (200..<300).contains(r.status) else {
      throw FailoverError("POST \(path): HTTP \(r.status): \(String(decoding: r.body, as: UTF8.self))")
    }
  }

  func status() async throws -> StatusView {
    let r = try await http.get(base + "/v1/status", headers: headers, timeout: .seconds(5))
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(StatusView.self, from: Data(r.body))
  }

  /// Until the control service knows how far `flow` is behind: before that an unplanned
  /// failover would be refused by the RPO budget (unknown lag), as it should be.
  func waitUntilLagKnown(_ flow: String, timeout: Duration) async throws -> Int64 {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if let n = (try? await status())?.flows.first(where: { $0.flow == flow })?.recordsBehind { return n }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw FailoverError("the control service did not learn the lag of \(flow) within \(timeout)")
  }

  func waitUntilState(_ cluster: String, _ state: String, timeout: Duration) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if (try? await status())?.clusters.first(where: { $0.cluster == cluster })?.state == state { return }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw FailoverError("the control service did not see \(cluster) \(state) within \(timeout)")
  }
}

/// A flag set from one task and read from others.
final class DemoFlag: Sendable {
  private let box = Mutex(false)
  func set() { box.withLock { $0 = true } }
  var isSet: Bool { box.withLock { $0 } }
}
