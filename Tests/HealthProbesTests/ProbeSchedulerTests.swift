import Foundation
import Synchronization
import TestSupport
import Testing

@testable import HealthProbes

final class Counter: Sendable {
  private let state = Mutex((runs: [String: Int](), now: 0, peak: 0))
  func start() {
    state.withLock {
      $0.now += 1
      $0.peak = max($0.peak, $0.now)
    }
  }
  func finish(_ name: String) {
    state.withLock {
      $0.now -= 1
      $0.runs[name, default: 0] += 1
    }
  }
  var runs: [String: Int] { state.withLock { $0.runs } }
  var peak: Int { state.withLock { $0.peak } }
}

@Suite("Probe scheduler")
struct ProbeSchedulerTests {
  func probes(_ counter: Counter, count: Int, interval: Duration) -> [ScheduledProbe] {
    (0..<count).map { i in
      ScheduledProbe(kind: .http, subject: "s\(i)", interval: interval) {
        counter.start()
        try? await Task.sleep(for: .milliseconds(20))
        counter.finish("s\(i)")
        return ProbeResult(kind: .http, subject: "s\(i)", state: .healthy, reasons: [], latencyMilliseconds: 20)
      }
    }
  }

  @Test func runOnceRunsEveryProbeWithinTheBound() async {
    let counter = Counter()
    let results = await ProbeScheduler(probes: probes(counter, count: 10, interval: .seconds(1)), maxConcurrent: 3)
      .runOnce()
    #expect(results.map(\.subject) == (0..<10).map { "s\($0)" })
    #expect(counter.peak <= 3)
    #expect(counter.peak > 1)
  }

  @Test func everyProbeRepeatsOnItsOwnLoop() async throws {
    let counter = Counter()
    let scheduler = ProbeScheduler(probes: probes(counter, count: 4, interval: .milliseconds(50)), maxConcurrent: 2)
    let task = Task { await scheduler.run { _ in } }
    _ = await eventually("every probe ran three times", timeout: .seconds(10), every: .milliseconds(50)) {
      counter.runs.count == 4 && !counter.runs.values.contains(where: { $0 < 3 })
    }
    task.cancel()
    #expect(counter.runs.count == 4)
    #expect(counter.runs.values.allSatisfy { $0 >= 3 }, "\(counter.runs)")
    #expect(counter.peak <= 2)
  }

  /// Wake-ups fall on a 25 ms grid from the scheduler's start, never before the instant
  /// asked for and at most one step after it: probes due together wake together.
  @Test func wakeUpsAreRoundedUpToTheGrid() {
    let origin = ContinuousClock.now
    let grid = ProbeScheduler.grid
    #expect(ProbeScheduler.onGrid(origin, from: origin) == origin)
    #expect(ProbeScheduler.onGrid(origin + .milliseconds(1), from: origin) == origin + grid)
    #expect(ProbeScheduler.onGrid(origin + grid, from: origin) == origin + grid)
    #expect(ProbeScheduler.onGrid(origin + .milliseconds(2_010), from: origin) == origin + .milliseconds(2_025))
    for ms in stride(from: 0, to: 5_000, by: 7) {
      let t = origin + .milliseconds(ms)
      let woken = ProbeScheduler.onGrid(t, from: origin)
      #expect(woken >= t && woken - t < grid)
    }
  }
}
