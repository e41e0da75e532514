import ControlService
import CurlHTTP
import Foundation
import Orchestrator

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

  func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
    let r = try await http.get(base + path, headers: headers, timeout: .seconds(5))
    guard r.status == 200 else { throw FailoverError("GET \(path): HTTP \(r.status)") }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(T.self, from: Data(r.body))
  }

  func status() async throws -> StatusView { try await get("/v1/status", as: StatusView.self) }

  /// Until the control service knows how far `flow` is behind: before that an unplanned
  /// failover would be refused by the RPO budget (unknown lag), as it should be.
  func waitUntilLagKnown(_ flow: String, timeout: Duration) async throws -> Int64 {
    try await poll("learn the lag of \(flow)", timeout) { $0.flows.first { $0.flow == flow }?.recordsBehind }
  }

  func waitUntilState(_ cluster: String, _ state: String, timeout: Duration) async throws {
    try await poll("see \(cluster) \(state)", timeout) {
      $0.clusters.first { $0.cluster == cluster && $0.state == state }
    }
  }

  /// `/v1/status` every 200 ms until `found` finds something in it.
  @discardableResult
  private func poll<T>(_ what: String, _ timeout: Duration, _ found: (StatusView) -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if let status = try? await status(), let t = found(status) { return t }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw FailoverError("the control service did not \(what) within \(timeout)")
  }
}
