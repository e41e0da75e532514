import Etcd
import Foundation
import KafkaLab
import Logging
import Orchestrator
import Synchronization

/// Three etcd members on this machine, two orchestrators' leader elections in process, each
/// running as `serve` runs it (a round, then `untilNextRound`). The leader is killed (its
/// loop stops: no resign, its lease left to expire); in every second run etcd's raft
/// leader dies with it, so that the new raft leader renews the dead leader's lease to its
/// full TTL. Per run: the time until the other acts as leader, and whether both ever
/// claimed leadership at once (sampled every 5 ms); then the etcd requests per instance per
/// second at rest.
struct LeaderTakeoverBenchmark {
  let runs: Int
  let ttlSeconds: Int

  func run() async throws {
    let ttl = Duration.seconds(ttlSeconds)
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    var takeovers: [(seconds: Double, raftLeaderKilled: Bool)] = []
    var overlaps = 0
    for run in 0..<runs {
      // A fresh cluster each run: a run may kill one of its members.
      let etcd = try await EtcdMembers(count: 3)
      defer { etcd.stop() }
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
      let rounds = [a, b].map { l in
        Task {
          while !Task.isCancelled {
            await l.step()
            await l.untilNextRound()
          }
        }
      }
      // At rest for two TTLs: count requests.
      let restStart = ContinuousClock.now
      let (a0, b0) = (aClient.requestsSent, bClient.requestsSent)
      try await Task.sleep(for: ttl * 2)
      let restSeconds = seconds(ContinuousClock.now - restStart)
      if run == 0 {
        print(
          String(
            format: "etcd requests at rest (lease TTL %d s): leader %.2f/s, follower %.2f/s", ttlSeconds,
            Double(aClient.requestsSent - a0) / restSeconds, Double(bClient.requestsSent - b0) / restSeconds))
      }
      guard await a.leadership.isLeader, await b.leadership == .follower(leader: "a") else {
        print("run \(run + 1): a did not lead with b following; skipped")
        for r in rounds { r.cancel() }
        continue
      }
      let killRaftLeader = run % 2 == 1
      let raftLeader = killRaftLeader ? await etcd.raftLeader() : nil
      // a is killed: its rounds stop where they are.
      rounds[0].cancel()
      let killed = ContinuousClock.now
      if let raftLeader { etcd.kill(raftLeader) }
      var took: Double? = nil
      while took == nil, ContinuousClock.now - killed < ttl * 4 {
        let bLeads = await b.leadership.isLeader
        if bLeads {
          took = seconds(ContinuousClock.now - killed)
          if await a.leadership.isLeader { overlaps += 1 }
        }
        try await Task.sleep(for: .milliseconds(5))
      }
      rounds[1].cancel()
      guard let took else {
        print("run \(run + 1): b did not lead within \(ttl * 4)")
        continue
      }
      takeovers.append((took, raftLeader != nil))
      print(
        String(
          format: "run %d: leader killed%@ -> new leader acting in %.2f s", run + 1,
          raftLeader != nil ? " with etcd's raft leader" : "", took))
    }
    let sorted = takeovers.map(\.seconds).sorted()
    guard let max = sorted.last else { return }
    let median = sorted[sorted.count / 2]
    let goal = Double(ttlSeconds + 1)
    print(
      String(
        format:
          "leader takeover over %d runs (%d with etcd's raft leader killed): median %.2f s, max %.2f s; "
          + "goal <= TTL + 1 s = %.0f s: %@; both claiming leadership at once: %d times",
        sorted.count, takeovers.filter(\.raftLeaderKilled).count, median, max, goal, max <= goal ? "met" : "NOT met",
        overlaps))
  }
}
