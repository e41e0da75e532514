import Etcd
import Foundation
import KafkaLab
import Logging
import Orchestrator

/// Three etcd members on this machine, two orchestrators' leader elections in process.
/// The leader stops (as if killed: no resign, its lease left to expire); the time until
/// the other acts as leader, per run; and the etcd requests per instance per second at
/// rest, leader and follower.
struct LeaderTakeoverBenchmark {
  let runs: Int
  let ttlSeconds: Int

  func run() async throws {
    let etcd = try await EtcdMembers(count: 3)
    defer { etcd.stop() }
    let ttl = Duration.seconds(ttlSeconds)
    var takeovers: [Double] = []
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    for run in 0..<runs {
      let prefix = "/bench-\(run)/"
      func leader(_ name: String) -> (EtcdLeader, EtcdClient) {
        let client = EtcdClient(endpoints: etcd.endpoints, requestTimeout: .milliseconds(700))
        return (
          EtcdLeader(
            client: client, prefix: prefix, me: ControlPlaneMember(instance: name, region: name, url: ""), ttl: ttl,
            logger: logger), client
        )
      }
      let (a, aClient) = leader("a")
      let (b, bClient) = leader("b")
      await a.step()
      await b.step()
      // At rest for a while: count requests.
      let restStart = ContinuousClock.now
      let (a0, b0) = (aClient.requestsSent, bClient.requestsSent)
      let rest = Task {
        while !Task.isCancelled {
          await a.step()
          await b.step()
          try? await Task.sleep(for: ttl / 3)
        }
      }
      try await Task.sleep(for: ttl * 2)
      rest.cancel()
      _ = await rest.value
      let restSeconds = seconds(ContinuousClock.now - restStart)
      if run == 0 {
        print(
          String(
            format: "etcd requests at rest (lease TTL %d s): leader %.2f/s, follower %.2f/s", ttlSeconds,
            Double(aClient.requestsSent - a0) / restSeconds, Double(bClient.requestsSent - b0) / restSeconds))
      }
      guard await a.leadership.isLeader else {
        print("run \(run): a did not lead; skipped")
        continue
      }
      // a is killed: it steps no more. b keeps its rhythm.
      let killed = ContinuousClock.now
      while !(await b.leadership.isLeader) {
        try await Task.sleep(for: ttl / 3)
        await b.step()
      }
      let took = seconds(ContinuousClock.now - killed)
      takeovers.append(took)
      print(String(format: "run %d: leader killed -> new leader acting in %.2f s", run + 1, took))
      await b.resign()
    }
    let sorted = takeovers.sorted()
    guard !sorted.isEmpty else { return }
    let median = sorted[sorted.count / 2]
    print(
      String(
        format: "leader takeover over %d runs: median %.2f s, max %.2f s (goal <= TTL + 1 s = %d s: %@)",
        sorted.count, median, sorted.last!, ttlSeconds + 1, sorted.last! <= Double(ttlSeconds + 1) ? "met" : "NOT met"))
  }
}
