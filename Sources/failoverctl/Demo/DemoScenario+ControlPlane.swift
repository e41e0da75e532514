import ControlService
import Foundation
import KafkaLab
import Orchestrator
import Topology

/// `demo --scenario control-plane`: three regions, three etcd members and three
/// orchestrators (`failoverctl serve` processes), one per region; the region that holds
/// both the primary Kafka cluster and the leading orchestrator dies with its etcd member
/// and its orchestrator. The survivors elect a new leader, judge east dead by two votes
/// from outside it, and fail every service over; clients follow a follower's discovery.
extension DemoScenario {
  /// The demo's policy with a quorum of two vantage points: no single orchestrator can
  /// declare a region dead.
  static let quorumPolicy = policy.replacingOccurrences(of: "  quorum: 1", with: "  quorum: 2")

  func runControlPlane() async throws -> DemoReport {
    var report = newReport(database: work.path)
    let regions = ["east", "west", "central"]
    let lab = try await Lab.start(regions: regions, broker: broker, brokersPerRegion: 1, services: services())
    defer { lab.stop() }
    let mirrors = try mirrors(for: lab, delay: .seconds(1))
    let etcd = try await EtcdMembers(count: 3, names: regions)
    defer { etcd.stop() }
    let (labURL, labServing) = try await LabControlServer(lab: lab, mirrors: mirrors, etcd: etcd).start(
      host: "127.0.0.1", port: 0)
    let replicating = mirrors.map { m in Task { await m.run() } }
    defer {
      for r in replicating { r.cancel() }
      labServing.cancel()
    }
    say("regions east, west and central (\(brokerName)), MM2-style mirrors 1 s behind")
    say("control plane: etcd members " + zip(regions, etcd.endpoints).map { "\($0) \($1)" }.joined(separator: ", "))

    let secret = TokenAuthenticator.newSecret()
    let (policies, file) = try writeConfiguration(
      labYAML: lab.topologyYAML(
        connectBase: labURL, controlPlane: ControlPlaneSettings(endpoints: etcd.endpoints, leaseTTL: .seconds(5))),
      policy: Self.quorumPolicy, secret: secret, extraProbes: "  quorum: 2\n")

    // East first, so that it leads: the region that dies holds the leader.
    var orchestrators: [DemoOrchestrator] = []
    defer { for o in orchestrators { o.kill() } }
    for region in regions {
      let o = try DemoOrchestrator(
        instance: "orchestrator-\(region)", region: region, topology: file, policies: policies, work: work)
      orchestrators.append(o)
      let client = ControlClient(server: o.url, token: secret)
      let leader = try await waitForLeader(client, o, timeout: .seconds(30)) { $0 != nil }
      say("\(o.instance) at \(o.url) (region \(region)); leader: \(leader ?? "none")")
    }
    let west = orchestrators[1]
    let api = ControlClient(server: west.url, token: secret)
    report.leaderBefore = try await waitForLeader(api, west, timeout: .seconds(10)) { $0 != nil }
    say("  operator token for this run: \(secret); orchestrators' logs in \(work.path)")

    let stop = DemoFlag()
    let ledger = TrafficLedger()
    // Clients follow the west orchestrator, a follower: any instance serves discovery.
    let traffic = traffic(lab, server: west.url, ledger: ledger)
    let running = traffic.map { t in Task { await t.run(stopProducing: { stop.isSet }) } }
    let timeline = Task { await DemoTimeline(api: api, ledger: ledger, say: say).run() }
    defer {
      timeline.cancel()
      for r in running { r.cancel() }
    }
    defer { DemoLogHandler.tearingDown.store(true, ordering: .relaxed) }
    say(
      "traffic: \(max(1, rate / lab.services.count)) records/s per service (acks=all), following discovery on \(west.instance) (a follower)"
    )

    let lag = try await api.waitUntilLagKnown("east->west", timeout: .seconds(30))
    say("the orchestrators have ingested MM2's offset-syncs: east->west is \(lag) records behind")
    try await Task.sleep(for: .seconds(duration * 0.3))

    let eventDate = Date()
    let event = ContinuousClock.now
    say("! region east fails: its Kafka brokers, its etcd member and \(orchestrators[0].instance) (SIGKILL)")
    lab.region("east")!.fail()
    if let i = etcd.members.firstIndex(where: { $0.name == "east" }) { etcd.kill(i) }
    orchestrators[0].kill()

    report.leaderAfter = try await waitForLeader(api, west, timeout: .seconds(60)) {
      $0 != nil && $0 != report.leaderBefore
    }
    report.leaderTakeoverSeconds = (ContinuousClock.now - event) / .seconds(1)
    say(String(format: "%@ leads %.1f s after the failure", report.leaderAfter ?? "?", report.leaderTakeoverSeconds!))

    report.failoverSeconds = try await waitUntilActive(awayFrom: "east", traffic, since: event)
    try await recordMoves(&report, api: api, since: eventDate)
    say(String(format: "every service writable away from east %.1f s after the failure", report.failoverSeconds ?? -1))

    try await finish(&report, api: api, ledger: ledger, stop: stop, event: event)
    for o in orchestrators { await o.stop() }
    await self.stop(traffic: [], servers: [labServing])
    return report
  }

  /// The leader `client`'s instance names once `accept` takes it; throws with the
  /// instance's log when it has died or the time is up.
  private func waitForLeader(
    _ client: ControlClient, _ o: DemoOrchestrator, timeout: Duration, accept: (String?) -> Bool
  ) async throws -> String? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      guard o.isRunning else {
        let log = (try? String(contentsOfFile: o.log, encoding: .utf8)) ?? ""
        throw DemoError("\(o.instance) exited: \(log.suffix(2000))")
      }
      if let view = try? await client.get("/v1/control-plane", as: LeaderView.self, timeout: .seconds(2)),
        accept(view.leader?.instance)
      {
        return view.leader?.instance
      }
      try await Task.sleep(for: .milliseconds(100))
    }
    throw DemoError("no acceptable leader seen by \(o.instance) within \(timeout): see \(o.log)")
  }
}

/// The part of `GET /v1/control-plane` the demo reads.
private struct LeaderView: Decodable {
  struct Member: Decodable { let instance: String }
  let leader: Member?
}
