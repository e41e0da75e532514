import ControlServiceClient
import Foundation
import Orchestrator

/// What the demo asks of the control service, through the same client (and token) an
/// operator's `failoverctl promote` or `failback` uses.
extension ControlClient {
  /// Until the control service knows how far `flow` is behind: before that an unplanned
  /// failover would be refused by the RPO budget (unknown lag), as it should be.
  func waitUntilLagKnown(_ flow: String, timeout: Duration) async throws -> Int64 {
    try await poll("learn the lag of \(flow)", timeout) { $0.flows.first { $0.flow == flow }?.recordsBehind }
  }

  /// Until the lag of `flow` is known and a checkpoint of it ingested: an idle flow's lag is
  /// known at once (0), before any consumer has committed anything worth translating.
  func waitUntilCheckpointed(_ flow: String, timeout: Duration) async throws -> (Int64, Double) {
    try await poll("ingest a checkpoint of \(flow)", timeout) { status -> (Int64, Double)? in
      guard let f = status.flows.first(where: { $0.flow == flow }), let lag = f.recordsBehind,
        let age = f.checkpointAgeSeconds
      else { return nil }
      return (lag, age)
    }
  }

  func waitUntilState(_ cluster: String, _ state: JudgedHealth, timeout: Duration) async throws {
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
    throw DemoError("the control service did not \(what) within \(timeout)")
  }
}
