import ControlService
import ControlServiceClient
import Foundation
import KafkaLab
import Orchestrator
import Synchronization
import Topology

/// `demo --scenario active-active`: both regions write to their own cluster, MM2-style
/// mirrors copy both ways (a second behind), each region's consumers read everything on
/// their own cluster. East dies; the policy moves east's clients to west; west's clients
/// must never see their document change. East comes back: replication from it (left
/// running by the lane's failover) copies its tail to west, where both regions' groups read
/// it, so nothing acknowledged is lost for good. A report per region.
struct ActiveActiveScenario: DemoScenario {
  static let policy = DemoPolicy.activeActive
  let settings: DemoSettings
  init(_ settings: DemoSettings) { self.settings = settings }

  private static let regions = ["east", "west"]

  func run() async throws -> DemoReport {
    try await DemoStage.play(
      settings, regions: Self.regions, services: DemoStage.services(settings), activeActive: true,
      mirrorDelay: .seconds(1), play)
  }

  private func play(_ stage: DemoStage) async throws -> DemoReport {
    var report = stage.newReport()
    let lab = stage.lab
    stage.say(
      "regions east and west (\(settings.brokerName)), each taking its own region's writes; MM2-style mirrors "
        + "both ways (1 s behind); lab control \(stage.labURL)")
    let api = try await stage.startControlService(policy: Self.policy)

    // One ledger per region: every region's consumers must read every region's records.
    let ledgers = Dictionary(uniqueKeysWithValues: Self.regions.map { ($0, TrafficLedger()) })
    func ledger(_ region: String) -> TrafficLedger { ledgers[region] ?? TrafficLedger() }
    let perClient = max(1, settings.rate / (lab.services.count * Self.regions.count))
    var traffic: [(region: String, client: LabTraffic)] = []
    for s in lab.services {
      for region in Self.regions {
        traffic.append(
          (
            region,
            LabTraffic(
              service: s.name, region: region, group: Lab.groups(of: s, in: region)[0], servers: [api.server],
              recordsPerSecond: perClient, processingDelay: DemoStage.processingDelay,
              isUp: { lab.region($0)?.isDown == false }, ledger: ledger(region),
              alsoAcknowledge: Self.regions.filter { $0 != region }.map(ledger))
          ))
      }
    }
    stage.run(traffic.map(\.client))
    stage.showTimeline(api, ledger("east"))
    // What west's clients see, sampled all along: their cluster and epoch must never change.
    let westViews = Mutex<Set<String>>([])
    let west = traffic.filter { $0.region == "west" }.map(\.client)
    stage.keep(
      Task {
        while !Task.isCancelled {
          for t in west {
            if let v = t.follower.view { westViews.withLock { _ = $0.insert("\(v.cluster)@\(v.epoch)") } }
          }
          try? await Task.sleep(for: .milliseconds(50))
        }
      })
    stage.say(
      "traffic: \(perClient) records/s per service and region (acks=all), each region's consumer group reading "
        + "its local topic and the other region's copy, 1.5 s behind; clients following discovery ?region=")

    try await stage.warmUp(api, checkpointed: lab.services.flatMap { Lab.groups(of: $0, in: "east") })
    let eventDate = Date()
    let event = ContinuousClock.now
    stage.say("! region east fails: every broker down")
    try stage.region("east").fail()
    report.failoverSeconds = try await stage.waitUntilActive(on: "west", traffic.map(\.client), since: event)
    try await stage.recordMoves(&report, api: api, since: eventDate)
    stage.say(
      String(format: "east's clients writable on west %.1f s after the failure", report.failoverSeconds ?? -1))
    try await eastComesBack(&report, stage, api)

    try await stage.runOut(since: event)
    for region in Self.regions {
      let t = try await stage.drained(ledger(region))
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
    try await stage.recordEnd(&report, api: api)
    return report
  }

  /// East returns; its lanes' tails (bounded from the failovers' journals while it is dark)
  /// drain through replication, which the lanes' failovers left running.
  private func eastComesBack(_ report: inout DemoReport, _ stage: DemoStage, _ api: ControlClient) async throws {
    let lanes = stage.lab.services.map { LaneID(service: $0.name, region: "east").description }
    var tail: Int64 = 0
    for lane in lanes {
      tail += try await api.get("/v1/services/\(lane)/divergence", as: DivergenceView.self).divergence?.records ?? 0
    }
    report.tailRecords = tail
    stage.say("  east's tail, as the failovers journaled it: at most \(tail) records not known to be on west")
    stage.say("! region east is back")
    try stage.region("east").recover()
    for lane in lanes {
      let view = try await api.waitUntilDrained(lane, timeout: .seconds(60))
      stage.say("  \(lane): \(view.note)")
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
