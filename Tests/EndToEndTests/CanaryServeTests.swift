import Foundation
import Orchestrator
import TestSupport
import Testing

/// `lab up --mirror --canary` and `serve`: every flow's canary measured through the built
/// server, in `GET /v1/status`, `failoverctl status` and the metrics.
@Suite("The replication canary through the built server")
struct CanaryServeTests {
  @Test func everyFlowsCanaryArrivesAndIsShown() async throws {
    let f = try await ServeFixture.start(labArguments: ["--mirror", "--canary"])
    defer { f.server.forceKill() }
    var canaries: [CanaryState] = []
    let arrived = try await eventually("every flow's canary has arrived", timeout: .seconds(60)) {
      canaries = try await f.status().canaries
      return canaries.count == 2 && canaries.allSatisfy { $0.arrived > 0 }
    }
    #expect(arrived, "\(canaries)")
    #expect(Set(canaries.map(\.copyTopic)) == ["east.failoverctl.canary", "west.failoverctl.canary"])
    #expect(canaries.allSatisfy { $0.lost == 0 && ($0.lastLatencySeconds ?? -1) >= 0 })
    let status = try await Failoverctl.run(
      ["status", "--server", f.server.url, "--token", ServeFixture.tokens["viewer"]!])
    #expect(status.stdout.contains("CANARY") && status.stdout.contains("east->west"), "\(status.stdout)")
    let metrics = try await f.get("/metrics")
    #expect(metrics.text.contains("kafka_failover_canary_latency_seconds{flow=\"east->west\"}"), "\(metrics.text)")
    _ = await f.stop()
  }
}
