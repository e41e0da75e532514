import Foundation
import Orchestrator
import TestSupport
import Testing

/// `serve`'s background services fail (failpoints) and are started again: logged, counted,
/// shown in /v1/status and /readyz while down; automatic failover down makes /readyz fail.
@Suite("failoverctl serve: background services are supervised", .serialized)
struct ServeSupervisionTests {
  @Test func everyBackgroundServiceThatFailsIsShownAndStartedAgain() async throws {
    let failing = ["auto-failover", "auto-failover", "probes", "lag-meter", "ingest east->west"]
    let f = try await ServeFixture.start(
      environment: ["FAILOVERCTL_FAILPOINTS": failing.map { "fail:\($0)" }.joined(separator: ",")])
    // auto-failover fails at once and again 1 s later: down for about 3 s in all.
    var sawNotReady = false
    var readyAgain = false
    let deadline = ContinuousClock.now + .seconds(20)
    while ContinuousClock.now < deadline && !readyAgain {
      let r = try await f.get("/readyz")
      let body = try json(r)
      if r.status == 503, (body["down"] as? [String])?.contains("auto-failover") == true {
        #expect(body["reason"] as? String == "automatic failover is down and being started again")
        sawNotReady = true
      }
      readyAgain = sawNotReady && r.status == 200
      try await Task.sleep(for: .milliseconds(100))
    }
    #expect(sawNotReady, "/readyz never showed automatic failover down")
    #expect(readyAgain, "/readyz did not recover")

    let background = try await f.status().background
    func entry(_ name: String) -> StatusView.BackgroundEntry? { background.first { $0.service == name } }
    #expect(entry("auto-failover")?.restarts == 2)
    #expect(entry("auto-failover")?.lastError == "failpoint fail:auto-failover")
    for name in ["probes", "lag-meter", "ingest east->west"] {
      #expect(entry(name)?.restarts == 1, "\(name)")
      #expect(entry(name)?.state == .running, "\(name)")
    }
    #expect(entry("ingest west->east")?.restarts == 0)
    let metrics = try await f.get("/metrics").text
    #expect(metrics.contains(#"kafka_failover_background_failures_total{service="auto-failover"} 2"#))
    #expect(metrics.contains(#"kafka_failover_background_up{service="probes"} 1"#))
    let (_, stderr) = await f.stop()
    #expect(
      stderr.contains(
        "background service auto-failover failed: failpoint fail:auto-failover; starting it again in 1.0 seconds"),
      "\(stderr.suffix(2000))")
  }
}
