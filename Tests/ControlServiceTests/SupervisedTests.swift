import Logging
import Orchestrator
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@testable import ControlService

@Suite("Supervised background services: restarted with backoff, never silent")
struct SupervisedTests {
  /// Throws `failures` times, returns once if `returns`, then runs until cancelled.
  final class Flaky: ServiceLifecycle.Service, Sendable {
    let left: Mutex<(failures: Int, returns: Bool)>
    let runs = Mutex(0)
    init(failures: Int, returns: Bool = false) { left = Mutex((failures, returns)) }

    struct Broken: Error, CustomStringConvertible { var description: String { "broken" } }

    func run() async throws {
      runs.withLock { $0 += 1 }
      let what = left.withLock { l -> Int in
        if l.failures > 0 {
          l.failures -= 1
          return 1
        }
        if l.returns {
          l.returns = false
          return 2
        }
        return 0
      }
      if what == 1 { throw Broken() }
      if what == 2 { return }
      while !Task.isCancelled { try await Task.sleep(for: .milliseconds(10)) }
    }
  }

  @Test func aFailingServiceIsStartedAgainWithAGrowingBackoffAndShownUntilItRuns() async throws {
    let board = BackgroundBoard()
    let metrics = ServiceMetrics()
    let clock = TestClock()
    let flaky = Flaky(failures: 3, returns: true)
    let supervised = Supervised(
      "auto-failover", flaky, board: board, metrics: metrics, clock: clock,
      failpoints: Failpoints(environment: ["FAILOVERCTL_FAILPOINTS": "fail:auto-failover"]),
      logger: Logger(label: "test"))
    let task = Task { try await supervised.run() }
    // One injected failure, three thrown, one return: five failures, then it runs.
    while flaky.runs.withLock({ $0 }) < 5 || board.all.first?.state != .running {
      try await Task.sleep(for: .milliseconds(5))
    }
    let entry = try #require(board.all.first)
    #expect(entry.service == "auto-failover" && entry.state == .running && entry.restarts == 5)
    #expect(entry.lastError == "it returned while the server runs")
    #expect(board.down.isEmpty)
    // Backoff 1, 2, 4, 8, 16 s on the clock.
    #expect(clock.slept == .seconds(31))
    let scraped = String(decoding: metrics.registry.emitToBuffer(), as: UTF8.self)
    #expect(scraped.contains(#"kafka_failover_background_failures_total{service="auto-failover"} 5"#))
    task.cancel()
    _ = try? await task.value
  }

  @Test func theBackoffStopsGrowingAt30Seconds() async throws {
    let board = BackgroundBoard()
    let clock = TestClock()
    let flaky = Flaky(failures: 8)
    let task = Task {
      try await Supervised(
        "probes", flaky, board: board, metrics: ServiceMetrics(), clock: clock,
        failpoints: Failpoints(environment: [:]), logger: Logger(label: "test")
      ).run()
    }
    try #require(await eventually("nine runs", every: .milliseconds(5)) { flaky.runs.withLock { $0 } >= 9 })
    // 1 + 2 + 4 + 8 + 16 + 30 + 30 + 30
    #expect(clock.slept == .seconds(121))
    #expect(board.all.first?.restarts == 8)
    task.cancel()
    _ = try? await task.value
  }
}
