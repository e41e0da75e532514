import ControlService
import Foundation
import KafkaLab
import Logging
import Orchestrator
import Synchronization
import Topology

/// `demo --scenario active-active`: both regions write to their own cluster, MM2-style
/// mirrors copy both ways (a second behind), each region's consumers read everything on
/// their own cluster. East dies; the policy moves east's clients to west; west's clients
/// must never see their document change. East comes back: replication from it (left
/// running by the lane's failover) copies its tail to west, where both regions' groups read
/// it, so nothing acknowledged is lost for good. A report per region.
extension DemoScenario {
  /// The shipped active-active-standalone policy with an RPO budget wide enough for the
  /// demo's highest rates.
  static let activeActivePolicy = """
    version: 1
    description: the demo's copy of policies/active-active-standalone.yaml with a wider RPO budget
    trigger:
      any:
        - clusterUnreachable: {for: 0s}
      quorum: 1
    guards:
      maxLagRecords: 1000000
      healthyTarget: true
      cooldown: 10m
      maxFailovers: {count: 3, per: 1h}
      approval: automatic
    action:
      target: best-standby
      translation: auto
      fence: true
      drainTimeout: 60s
      replication: none

    """

  func runActiveActive() async throws -> DemoReport {
    var report = newReport(database: database)
    let names = ["east", "west"]
    let lab = try await Lab.start(
      regions: names, broker: broker, brokersPerRegion: 1, services: services(), activeActive: true)
    defer { lab.stop() }
    let mirrors = try mirrors(for: lab, delay: .seconds(1))
    let (labURL, labServing) = try await LabControlServer(lab: lab, mirrors: mirrors).start(
      host: "127.0.0.1", port: 0)
    let replicating = mirrors.map { m in Task { await m.run() } }
    defer {
      for r in replicating { r.cancel() }
      labServing.cancel()
    }
    say(
      "regions east and west (\(brokerName)), each taking its own region's writes; MM2-style mirrors "
        + "both ways (1 s behind); lab control \(labURL)")
    let (url, serving, secret) = try await startControlService(
      labYAML: lab.topologyYAML(connectBase: labURL), policy: Self.activeActivePolicy,
      policyName: Lab.activeActivePolicy)
    defer { serving.cancel() }

    // One ledger per region: every region's consumers must read every region's records.
    let ledgers = Dictionary(uniqueKeysWithValues: names.map { ($0, TrafficLedger()) })
    let perClient = max(1, rate / (lab.services.count * names.count))
    var traffic: [(region: String, client: LabTraffic)] = []
    for s in lab.services {
      for region in names {
        traffic.append(
          (
            region,
            LabTraffic(
              service: s.name, region: region, group: Lab.groups(of: s, in: region)[0], servers: [url],
              recordsPerSecond: perClient, processingDelay: Self.processingDelay,
              isUp: { lab.region($0)?.isDown == false }, ledger: ledgers[region]!,
              alsoAcknowledge: names.filter { $0 != region }.map { ledgers[$0]! })
          ))
      }
    }
    let stop = DemoFlag()
    let running = traffic.map { t in Task { await t.client.run(stopProducing: { stop.isSet }) } }
    let api = ControlClient(server: url, token: secret)
    let timeline = Task { await DemoTimeline(api: api, ledger: ledgers["east"]!, say: say).run() }
    // What west's clients see, sampled all along: their cluster and epoch must never change.
    let westViews = Mutex<Set<String>>([])
    let watching = Task {
      while !Task.isCancelled {
        for t in traffic where t.region == "west" {
          if let v = t.client.follower.view { westViews.withLock { _ = $0.insert("\(v.cluster)@\(v.epoch)") } }
        }
        try? await Task.sleep(for: .milliseconds(50))
      }
    }
    defer {
      watching.cancel()
      timeline.cancel()
      for r in running { r.cancel() }
    }
    defer { DemoLogHandler.tearingDown.store(true, ordering: .relaxed) }
    say(
      "traffic: \(perClient) records/s per service and region (acks=all), each region's consumer group reading "
        + "its local topic and the other region's copy, 1.5 s behind; clients following discovery ?region=")

    try await warmUp(api, checkpointed: lab.services.flatMap { Lab.groups(of: $0, in: "east") })
    let eventDate = Date()
    let event = ContinuousClock.now
    say("! region east fails: every broker down")
    lab.region("east")!.fail()
    report.failoverSeconds = try await waitUntilActive(on: "west", traffic.map(\.client), since: event)
    try await recordMoves(&report, api: api, since: eventDate)
    say(String(format: "east's clients writable on west %.1f s after the failure", report.failoverSeconds ?? -1))
    try await eastComesBack(&report, lab: lab, api: api)

    let elapsed = (ContinuousClock.now - event) / .seconds(1) + duration * 0.3
    try await Task.sleep(for: .seconds(max(2, duration - elapsed)))
    stop.set()
    say("producers stop; consumers drain")
    for region in names {
      let t = try await drained(ledgers[region]!)
      report.regions.append(
        DemoReport.RegionReport(
          region: region, produced: t.produced, acknowledged: t.acknowledged, consumed: t.consumed, lost: t.lost,
          redelivered: t.redelivered))
    }
    // The totals: every region's producers, and the worst region's reading.
    report.produced = report.regions.map(\.produced).reduce(0, +)
    report.acknowledged = report.regions.map(\.acknowledged).max() ?? 0
    report.consumed = report.regions.map(\.consumed).reduce(0, +)
    report.redelivered = report.regions.map(\.redelivered).reduce(0, +)
    report.lost = report.regions.map(\.lost).max() ?? 0
    report.unmovedRegionViews = westViews.withLock { $0.sorted() }
    report.failovers = try await api.failovers().map(DemoReport.move)
    report.servicesAfter = try await api.status().services.map {
      DemoReport.ServiceAfter(service: $0.service, activeCluster: $0.activeCluster, epoch: $0.epoch)
    }
    watching.cancel()
    timeline.cancel()
    await self.stop(traffic: running, servers: [serving, labServing])
    return report
  }

  /// East returns; its lanes' tails (bounded from the failovers' journals while it is dark)
  /// drain through replication, which the lanes' failovers left running.
  private func eastComesBack(_ report: inout DemoReport, lab: Lab, api: ControlClient) async throws {
    let lanes = lab.services.map { LaneID(service: $0.name, region: "east").description }
    var tail: Int64 = 0
    for lane in lanes {
      tail += try await api.get("/v1/services/\(lane)/divergence", as: DivergenceView.self).divergence?.records ?? 0
    }
    report.tailRecords = tail
    say("  east's tail, as the failovers journaled it: at most \(tail) records not known to be on west")
    say("! region east is back")
    lab.region("east")!.recover()
    for lane in lanes {
      let view = try await api.waitUntilDrained(lane, timeout: .seconds(60))
      say("  \(lane): \(view.note)")
    }
  }
}

extension ControlClient {
  /// Until the lane's tail has reached the cluster its clients are on.
  func waitUntilDrained(_ lane: String, timeout: Duration) async throws -> DivergenceView {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if let v = try? await get("/v1/services/\(lane)/divergence", as: DivergenceView.self),
        let d = v.divergence, d.oldPrimaryAnswers, d.records == 0
      {
        return v
      }
      try await Task.sleep(for: .milliseconds(250))
    }
    throw DemoError("the tail of \(lane) did not drain within \(timeout)")
  }
}
