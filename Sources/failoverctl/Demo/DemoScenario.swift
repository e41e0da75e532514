import ControlService
import CurlHTTP
import Foundation
import KafkaLab
import Logging
import Orchestrator
import Topology

/// One demo scenario end to end in this process: simulated regions, MM2-style mirrors with
/// their Connect-style API, the control service (SQLite on disk) with the active-passive
/// policy, traffic following discovery, the scenario's event, and the report.
struct DemoScenario {
  enum Kind: String, CaseIterable, Codable {
    /// Region east dies; the policy fails every service over to west on its own.
    case unplanned
    /// An operator's planned switchover of every service to west.
    case planned
    /// A planned switchover to west, east down for maintenance and back, then failback.
    case failback
    /// Three orchestrators on etcd; the region with the primary and the leader dies.
    case controlPlane = "control-plane"
    /// Active-active services: both regions write; east dies; only east's clients move.
    case activeActive = "active-active"
    /// East dies with an unreplicated tail; the policy fails over; east comes back; the tail
    /// is recovered into west; failback. Nothing acknowledged is lost for good.
    case recover
  }

  let kind: Kind
  let duration: Double
  /// Records per second over all services.
  let rate: Int
  let groupsPerService: Int
  /// The regions' Kafka: librdkafka's mock clusters or Tansu brokers.
  var broker: SimulatedRegion.Broker = .mock
  let database: String
  let work: URL
  let say: @Sendable (String) -> Void

  /// The shipped active-passive policy, with an RPO budget wide enough for the demo's
  /// highest rates: the demo shows a failover, not a refusal.
  static let policy = """
    version: 1
    description: the demo's copy of policies/active-passive.yaml with a wider RPO budget
    trigger:
      any:
        - clusterUnreachable: {for: 0s}
      quorum: 1
    guards:
      maxLagRecords: 1000000
      maxCheckpointAge: 2m
      healthyTarget: true
      cooldown: 10m
      maxFailovers: {count: 3, per: 1h}
      approval: automatic
    action:
      target: best-standby
      translation: auto
      fence: true
      drainTimeout: 60s
      replication: pause

    """

  /// Consumers process records this long after they were produced (work per record), and
  /// in `unplanned` the mirror copies them a second after: a region failure then catches
  /// records that consumers had not processed and replication had not copied.
  static let processingDelay: Duration = .milliseconds(1500)

  /// The independent consumer's groups end so; the lab's traffic leaves them alone.
  static let independentSuffix = "-independent"

  /// How the report names the regions' brokers.
  var brokerName: String { broker == .mock ? "librdkafka mock clusters" : "Tansu 0.6 brokers" }

  /// - Parameter independent: each service gets a group for the independent consumer too
  ///   (`orders-independent`), which the orchestrator translates like the others.
  func services(independent: Bool = false) -> [Lab.LabService] {
    func groups(_ first: String) -> [String] {
      [first] + (1..<max(1, groupsPerService)).map { "\(first)-\($0 + 1)" }
        + (independent ? ["\(first.split(separator: "-")[0])\(Self.independentSuffix)"] : [])
    }
    return [
      Lab.LabService(name: "orders", topics: ["orders"], groups: groups("orders-processor")),
      Lab.LabService(name: "payments", topics: ["payments"], groups: groups("payments-ledger"), partitions: 3),
    ]
  }

  func run() async throws -> DemoReport {
    if kind == .controlPlane { return try await runControlPlane() }
    if kind == .activeActive { return try await runActiveActive() }
    if kind == .recover { return try await runRecover() }
    var report = newReport(database: database)
    let lab = try await Lab.start(regions: ["east", "west"], broker: broker, brokersPerRegion: 1, services: services())
    defer { lab.stop() }
    // Unplanned: replication runs a second behind, so the failure loses what it had not
    // copied yet; the orchestrator predicts that from the lag it measured.
    let mirrors = try mirrors(for: lab, delay: kind == .unplanned ? .seconds(1) : nil)
    let (labURL, labServing) = try await LabControlServer(lab: lab, mirrors: mirrors).start(
      host: "127.0.0.1", port: 0)
    let replicating = mirrors.map { m in Task { await m.run() } }
    defer {
      for r in replicating { r.cancel() }
      labServing.cancel()
    }
    say(
      "regions east and west (\(brokerName)), MM2-style mirrors east->west and west->east"
        + (kind == .unplanned ? " (1 s behind)" : "") + "; lab control \(labURL)")

    let (url, serving, secret) = try await startControlService(
      labYAML: lab.topologyYAML(connectBase: labURL), policy: Self.policy, policyName: "active-passive")
    defer { serving.cancel() }

    let stop = DemoFlag()
    let ledger = TrafficLedger()
    let traffic = traffic(lab, server: url, ledger: ledger)
    let running = traffic.map { t in Task { await t.run(stopProducing: { stop.isSet }) } }
    let api = ControlClient(server: url, token: secret)
    let timeline = Task { await DemoTimeline(api: api, ledger: ledger, say: say).run() }
    defer {
      timeline.cancel()
      for r in running { r.cancel() }
    }
    // Runs before the cancellations above and the ones of the server, lab and mirrors.
    defer { DemoLogHandler.tearingDown.store(true, ordering: .relaxed) }
    say(
      "traffic: \(max(1, rate / lab.services.count)) records/s per service (acks=all), \(groupsPerService) consumer group(s) each "
        + "processing records 1.5 s after they were produced; clients following discovery")

    try await warmUp(api, checkpointed: lab.allGroups)
    let east = lab.region("east")!
    let eventDate = Date()
    let event = ContinuousClock.now
    switch kind {
    case .unplanned:
      say("! region east fails: every broker down")
      east.fail()
    case .planned, .failback, .controlPlane, .activeActive, .recover:
      say("! planned switchover of every service to west (failoverctl promote SERVICE --to west)")
      for s in lab.services {
        _ = try await api.post(
          "/v1/services/\(s.name)/promote", body: ["to": "west", "reason": "demo"], as: SwitchOutcome.self)
      }
    }
    report.failoverSeconds = try await waitUntilActive(on: "west", traffic, since: event)
    try await recordMoves(&report, api: api, since: eventDate)
    say(String(format: "every service writable on west %.1f s after the event", report.failoverSeconds ?? -1))

    if kind == .failback {
      say("! region east goes down for maintenance")
      east.fail()
      try await api.waitUntilState("east", .unreachable, timeout: .seconds(30))
      say("the control service sees east unreachable; the services stay on west (no policy moves them back)")
      east.recover()
      say("! region east is back; waiting until the control service sees it healthy")
      try await api.waitUntilState("east", .healthy, timeout: .seconds(30))
      say("failback of every service to east (failoverctl failback SERVICE)")
      let back = ContinuousClock.now
      for s in lab.services {
        _ = try await api.post("/v1/services/\(s.name)/failback", body: ["reason": "demo"], as: SwitchOutcome.self)
      }
      report.failbackSeconds = try await waitUntilActive(on: "east", traffic, since: back)
      say(String(format: "every service home on east %.1f s after the request", report.failbackSeconds ?? -1))
    }

    try await finish(&report, api: api, ledger: ledger, stop: stop, event: event)
    timeline.cancel()
    await self.stop(traffic: running, servers: [serving, labServing])
    return report
  }

  /// Seconds from `since` until every service's clients see a writable active cluster on `cluster`.
  func waitUntilActive(on cluster: String, _ traffic: [LabTraffic], since: ContinuousClock.Instant)
    async throws -> Double
  {
    try await waitUntilActive(traffic, since: since, "on \(cluster)") { $0 == cluster }
  }

  /// Seconds from `since` until every service's clients see a writable active cluster other than `cluster`.
  func waitUntilActive(awayFrom cluster: String, _ traffic: [LabTraffic], since: ContinuousClock.Instant)
    async throws -> Double
  {
    try await waitUntilActive(traffic, since: since, "away from \(cluster)") { $0 != nil && $0 != cluster }
  }

  private func waitUntilActive(
    _ traffic: [LabTraffic], since: ContinuousClock.Instant, _ what: String, _ wanted: (String?) -> Bool
  ) async throws -> Double {
    let deadline = since + .seconds(90)
    while ContinuousClock.now < deadline {
      var all = true
      for t in traffic {
        let v = t.follower.view
        if !wanted(v?.cluster) || v?.writable != true { all = false }
      }
      if all { return (ContinuousClock.now - since) / .seconds(1) }
      try await Task.sleep(for: .milliseconds(50))
    }
    throw DemoError("the services were not active \(what) within 90 s: see failoverctl history")
  }

  /// The ledger once the consumers have read everything they can: nothing missing, or no
  /// progress for three seconds (what an unplanned failover lost never arrives).
  func drained(_ ledger: TrafficLedger) async throws -> TrafficLedger.Totals {
    var totals = await ledger.totals
    var still = ContinuousClock.now
    let deadline = ContinuousClock.now + .seconds(30)
    while totals.lost > 0, ContinuousClock.now - still < .seconds(3), ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(200))
      let next = await ledger.totals
      if next.consumed != totals.consumed { still = ContinuousClock.now }
      totals = next
    }
    return totals
  }
}

extension DemoReport {
  mutating func apply(_ t: TrafficLedger.Totals) {
    produced = t.produced
    acknowledged = t.acknowledged
    consumed = t.consumed
    lost = t.lost
    redelivered = t.redelivered
  }
}
