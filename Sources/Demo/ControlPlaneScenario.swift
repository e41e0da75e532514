import ControlService
import ControlServiceClient
import Foundation
import KafkaLab
import Orchestrator
import Topology

/// `demo --scenario control-plane`: three regions, three etcd members and three
/// orchestrators (`failoverctl serve` processes), one per region; the region that holds
/// both the primary Kafka cluster and the leading orchestrator dies with its etcd member
/// and its orchestrator. The survivors elect a new leader, judge east dead by two votes
/// from outside it, and fail every service over; clients follow a follower's discovery.
struct ControlPlaneScenario: DemoScenario {
  static let policy = DemoPolicy.activePassiveQuorum
  let settings: DemoSettings
  init(_ settings: DemoSettings) { self.settings = settings }

  func run() async throws -> DemoReport {
    let regions = ["east", "west", "central"]
    var settings = self.settings
    // Each orchestrator keeps its own database in the work directory.
    settings.database = settings.work.path
    return try await DemoStage.play(
      settings, regions: regions, services: DemoStage.services(settings), mirrorDelay: .seconds(1), withEtcd: true
    ) { stage in
      var orchestrators: [DemoOrchestrator] = []
      do {
        let report = try await play(stage, regions, &orchestrators)
        for o in orchestrators { await o.stop() }
        return report
      } catch {
        for o in orchestrators { o.kill() }
        throw error
      }
    }
  }

  private func play(_ stage: DemoStage, _ regions: [String], _ orchestrators: inout [DemoOrchestrator])
    async throws -> DemoReport
  {
    var report = stage.newReport()
    guard let etcd = stage.etcd else { throw DemoError("the control-plane scenario needs etcd") }
    stage.say("regions east, west and central (\(settings.brokerName)), MM2-style mirrors 1 s behind")
    stage.say(
      "control plane: etcd members " + zip(regions, etcd.endpoints).map { "\($0) \($1)" }.joined(separator: ", "))
    let configuration = try stage.writeConfiguration(
      controlPlane: ControlPlaneSettings(endpoints: etcd.endpoints, leaseTTL: .seconds(5)),
      extraProbes: "  quorum: 2\n")

    // East first, so that it leads: the region that dies holds the leader.
    for region in regions {
      let o = try DemoOrchestrator(
        binary: settings.failoverctl, instance: "orchestrator-\(region)", region: region,
        topology: configuration.topology, policies: configuration.policies.path, work: settings.work)
      orchestrators.append(o)
      let client = ControlClient(server: o.url, token: configuration.secret)
      let leader = try await waitForLeader(client, o, timeout: .seconds(30)) { $0 != nil }
      stage.say("\(o.instance) at \(o.url) (region \(region)); leader: \(leader ?? "none")")
    }
    let west = orchestrators[1]
    let api = ControlClient(server: west.url, token: configuration.secret)
    report.leaderBefore = try await waitForLeader(api, west, timeout: .seconds(10)) { $0 != nil }
    stage.say("  operator token for this run: \(configuration.secret); orchestrators' logs in \(settings.work.path)")

    let ledger = TrafficLedger()
    // Clients follow the west orchestrator, a follower: any instance serves discovery.
    let traffic = stage.startTraffic(server: west.url, ledger: ledger)
    stage.showTimeline(api, ledger)
    stage.say(
      "traffic: \(max(1, settings.rate / stage.lab.services.count)) records/s per service (acks=all), "
        + "following discovery on \(west.instance) (a follower)")

    let lag = try await api.waitUntilLagKnown("east->west", timeout: .seconds(30))
    stage.say("the orchestrators have ingested MM2's offset-syncs: east->west is \(lag) records behind")
    try await Task.sleep(for: .seconds(settings.duration * 0.3))

    let eventDate = Date()
    let event = ContinuousClock.now
    stage.say("! region east fails: its Kafka brokers, its etcd member and \(orchestrators[0].instance) (SIGKILL)")
    try stage.region("east").fail()
    if let i = etcd.members.firstIndex(where: { $0.name == "east" }) { etcd.kill(i) }
    orchestrators[0].kill()

    let before = report.leaderBefore
    let survivors = Array(orchestrators.dropFirst())
    report.leaderAfter = try await waitForLeader(
      api, west, timeout: .seconds(60), diagnose: { await Self.diagnosis(survivors, etcd, token: configuration.secret) }
    ) { $0 != nil && $0 != before }
    let takeover = (ContinuousClock.now - event) / .seconds(1)
    report.leaderTakeoverSeconds = takeover
    stage.say(String(format: "%@ leads %.1f s after the failure", report.leaderAfter ?? "?", takeover))

    report.failoverSeconds = try await stage.waitUntilActive(awayFrom: "east", traffic, since: event)
    try await stage.recordMoves(&report, api: api, since: eventDate)
    stage.say(
      String(format: "every service writable away from east %.1f s after the failure", report.failoverSeconds ?? -1))
    try await stage.finish(&report, api: api, ledger: ledger, event: event)
    return report
  }

  /// The leader `client`'s instance names once `accept` takes it; throws with the
  /// instance's log when it has died or the time is up.
  private func waitForLeader(
    _ client: ControlClient, _ o: DemoOrchestrator, timeout: Duration,
    diagnose: () async -> String = { "" }, accept: (String?) -> Bool
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
    let diagnosis = await diagnose()
    throw DemoError(
      "no acceptable leader seen by \(o.instance) within \(timeout): see \(o.log)"
        + (diagnosis.isEmpty ? "" : "\n" + diagnosis))
  }

  /// What each surviving orchestrator says of the control plane, the end of its log, and
  /// each etcd member's state: a leader that never came is explained where the error is
  /// read (a CI log), not only in files that are gone with the machine.
  static func diagnosis(_ survivors: [DemoOrchestrator], _ etcd: EtcdMembers, token: String) async -> String {
    var parts: [String] = [await etcd.diagnosis()]
    for o in survivors {
      let client = ControlClient(server: o.url, token: token)
      let view = try? await client.get("/v1/control-plane", as: LeaderView.self, timeout: .seconds(5))
      let log = (try? String(contentsOfFile: o.log, encoding: .utf8)) ?? ""
      let lines = log.split(separator: "\n").filter { !$0.contains(" info ") && !$0.contains(" debug ") }
      parts.append(
        "\(o.instance) (\(o.isRunning ? "running" : "exited")): leader \(view.map { $0.leader?.instance ?? "none" } ?? "not answered"); "
          + "its last warnings:\n  " + lines.suffix(12).joined(separator: "\n  "))
    }
    return parts.joined(separator: "\n")
  }
}

/// The part of `GET /v1/control-plane` the demo reads.
private struct LeaderView: Decodable {
  struct Member: Decodable { let instance: String }
  let leader: Member?
}
