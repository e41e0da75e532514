import ControlService
import ControlServiceClient
import Foundation
import KafkaLab
import Orchestrator

/// `demo --scenario recover`: east dies with an unreplicated tail, the policy fails over,
/// east comes back, the tail is recovered into west, the services fail back. Nothing
/// acknowledged is lost for good, and the report follows every record through the stages.
struct RecoverScenario: DemoScenario {
  static let policy = DemoPolicy.activePassive
  let settings: DemoSettings
  init(_ settings: DemoSettings) { self.settings = settings }

  func run() async throws -> DemoReport {
    let independentClient = IndependentConsumer.locate()
    // Replication a second behind: the failure leaves records east acknowledged and never
    // copied, which is what there is to recover.
    return try await DemoStage.play(
      settings, services: DemoStage.services(settings, independent: independentClient != nil),
      mirrorDelay: .seconds(1)
    ) { stage in
      var independent: IndependentConsumer? = nil
      do {
        let report = try await play(stage, independentClient, &independent)
        if let p = independent?.process, p.isRunning { p.terminate() }
        return report
      } catch {
        if let p = independent?.process, p.isRunning { p.terminate() }
        throw error
      }
    }
  }

  private func play(
    _ stage: DemoStage, _ independentClient: (python: URL, script: URL)?, _ independent: inout IndependentConsumer?
  ) async throws -> DemoReport {
    var report = stage.newReport()
    let lab = stage.lab
    stage.say(
      "regions east and west (\(settings.brokerName)), MM2-style mirrors both ways (1 s behind); "
        + "lab control \(stage.labURL)")
    let api = try await stage.startControlService(policy: Self.policy)
    if let (python, script) = independentClient {
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("demo-independent-\(UUID().uuidString)")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
      independent = try IndependentConsumer.start(
        python: python, script: script, server: api.server,
        groups: lab.services.compactMap { s in s.groups.last.map { (s.name, $0) } }, in: dir)
      stage.say(
        "an independent consumer (confluent-kafka, examples/clients/python/ledger_consumer.py) reads every service too")
    } else {
      stage.say("no .venv-clients (make deps): the independent confluent-kafka consumer is not run")
    }
    let ledger = TrafficLedger()
    let traffic = stage.startTraffic(server: api.server, ledger: ledger)
    stage.showTimeline(api, ledger)
    try await stage.warmUp(api, checkpointed: lab.allGroups)

    // 1. East dies; the policy fails over; what east had not replicated is lost so far.
    let east = try stage.region("east")
    let eventDate = Date()
    let event = ContinuousClock.now
    stage.say("! region east fails: every broker down")
    east.fail()
    report.failoverSeconds = try await stage.waitUntilActive(on: "west", traffic, since: event)
    try await stage.recordMoves(&report, api: api, since: eventDate)
    let beforeFailure = await ledger.acknowledgedSoFar
    try await report.stage("failed over to west", ledger, among: beforeFailure, after: Self.settle)

    // 2. East comes back; the orchestrator measures its tail.
    stage.say("! region east is back")
    east.recover()
    var tail: Int64 = 0
    for s in lab.services {
      let view = try await api.waitUntilMeasured(s.name, timeout: .seconds(60))
      tail += view.divergence?.records ?? 0
      stage.say("  \(s.name): \(view.note)")
    }
    report.tailRecords = tail
    // The records of the tail, as the clients know them: acknowledged before the failure
    // and never read since.
    let tailIDs = await ledger.unconsumedRecords(among: beforeFailure)
    try await report.stage("east back, tail measured (\(tail) records)", ledger, among: beforeFailure, after: .zero)

    // 3. The tail recovered into west's own topics: the consumers there read it.
    var recovered: Int64 = 0
    for s in lab.services {
      let started = try await api.post(
        "/v1/services/\(s.name)/recover", body: ["into": "active", "reason": "demo"], as: RecoveryRecord.self)
      let done = try await api.waitUntilRecovered(started.id, timeout: .seconds(60))
      recovered += done.copied
      stage.say("  recovery \(done.id) of \(s.name): \(done.status), \(done.copied) records copied east -> west")
      if let replication = done.replication { stage.say("    \(replication)") }
    }
    report.recoveredRecords = recovered
    try await report.stage("tail recovered into west", ledger, among: beforeFailure, after: Self.settle)

    // 4. Failback: the groups go home past what they read on west.
    stage.say("failback of every service to east (failoverctl failback SERVICE)")
    let back = ContinuousClock.now
    for s in lab.services {
      _ = try await api.post("/v1/services/\(s.name)/failback", body: ["reason": "demo"], as: SwitchOutcome.self)
    }
    report.failbackSeconds = try await stage.waitUntilActive(on: "east", traffic, since: back)
    try await stage.finish(&report, api: api, ledger: ledger, event: event)
    try await report.stage("failed back to east, producers stopped", ledger, among: beforeFailure, after: .zero)
    let (read, twice) = await ledger.reads(of: tailIDs)
    report.tailRead = read
    report.tailReadTwice = twice
    if let independent {
      let acknowledged = await ledger.acknowledgedSoFar
      let summary = try await independent.finish(acknowledged: acknowledged)
      let reads = summary.reads
      let read = acknowledged.filter { reads[$0] != nil }.count
      report.independent = DemoReport.IndependentReport(
        client: summary.client, acknowledged: acknowledged.count, read: read, lost: acknowledged.count - read,
        readTwice: acknowledged.filter { (reads[$0] ?? 0) > 1 }.count,
        tailReadTwice: tailIDs.filter { (reads[$0] ?? 0) > 1 }.count)
      stage.say("independent consumer: read \(read) of \(acknowledged.count) acknowledged records")
    }
    return report
  }

  /// Long enough for the consumers (1.5 s behind their producers) to read what they can.
  static let settle: Duration = .seconds(4)
}

extension DemoReport {
  /// Records the ledger at a stage: of what was acknowledged before the failure, how much
  /// no consumer has read yet, and everything since.
  mutating func stage(_ name: String, _ ledger: TrafficLedger, among before: Set<String>, after wait: Duration)
    async throws
  {
    try await Task.sleep(for: wait)
    let t = await ledger.totals
    stages.append(
      Stage(
        stage: name, acknowledged: t.acknowledged, consumed: t.consumed,
        lostSoFar: await ledger.unconsumed(among: before), redelivered: t.redelivered))
  }
}

extension ControlClient {
  /// Until the service's divergence is measured on the old primary (it answers again).
  func waitUntilMeasured(_ service: String, timeout: Duration) async throws -> DivergenceView {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      if let v = try? await get("/v1/services/\(service)/divergence", as: DivergenceView.self),
        v.divergence?.oldPrimaryAnswers == true
      {
        return v
      }
      try await Task.sleep(for: .milliseconds(250))
    }
    throw DemoError("the divergence of \(service) was not measured within \(timeout)")
  }

  /// Until the recovery has ended; throws if it failed.
  func waitUntilRecovered(_ id: Int64, timeout: Duration) async throws -> RecoveryRecord {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      let r = try await get("/v1/recoveries/\(id)", as: RecoveryRecord.self)
      if r.status == .succeeded { return r }
      if r.status == .failed { throw DemoError("recovery \(id) failed: \(r.error ?? "")") }
      try await Task.sleep(for: .milliseconds(200))
    }
    throw DemoError("recovery \(id) did not end within \(timeout)")
  }
}
