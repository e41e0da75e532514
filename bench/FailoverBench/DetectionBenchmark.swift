import CurlHTTP
import Foundation
import HealthProbes
import KafkaLab
import Orchestrator
import Topology

/// Time from a region going dark to the health model declaring it unreachable, with the
/// default probe settings but a 2 s interval, over several runs.
struct DetectionBenchmark {
  let runs: Int

  func run() async throws {
    var times: [Double] = []
    for i in 0..<runs {
      let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
      var topology = lab.topology
      topology.probes.interval = .seconds(2)
      let plan = try ProbePlan(topology: topology, http: HTTPClient())
      let state = ModelBox(plan.model())
      let task = Task { await plan.scheduler.run { await state.observe($0) } }
      // Let the model see the region healthy first.
      while true {
        let seen = await state.seen("east")
        let healthy = await state.health("east") == .healthy
        if seen && healthy { break }
        try await Task.sleep(for: .milliseconds(50))
      }
      try await Task.sleep(for: .milliseconds(Int.random(in: 0..<2000)))
      let failedAt = ContinuousClock.now
      lab.region("east")!.fail()
      while await state.health("east") != .unreachable { try await Task.sleep(for: .milliseconds(10)) }
      let t = seconds(ContinuousClock.now - failedAt)
      times.append(t)
      task.cancel()
      print(String(format: "  run %d: declared unreachable after %.2f s", i + 1, t))
    }
    times.sort()
    let s = topologySettings
    print(
      String(
        format:
          "detection over %d runs: median %.2f s, max %.2f s (interval 2 s, timeout %.0f s, failuresToDown %d: bound i*n+t = %.0f s)",
        runs, times[times.count / 2], times.last!, seconds(s.timeout), s.failuresToDown,
        2 * Double(s.failuresToDown) + seconds(s.timeout)))
  }

  var topologySettings: ProbeSettings { ProbeSettings() }
}

actor ModelBox {
  var model: HealthModel
  var subjects: Set<String> = []
  init(_ model: HealthModel) { self.model = model }
  func observe(_ r: ProbeResult) {
    model.observe(r)
    subjects.insert(r.subject)
  }
  func health(_ s: String) -> HealthState { model.health(of: s).state }
  func seen(_ s: String) -> Bool { subjects.contains(s) }
}
