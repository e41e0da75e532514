import Foundation
import HealthProbes
import KafkaClient
import Orchestrator
import Testing
import Topology

@Suite("DR drills: schedule, gates, tally, policy section, journal")
struct DrillTests {
  static func utc(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

  // MARK: cron

  @Test func cronFiresAtItsMinutesInUTC() throws {
    // Every Tuesday at 03:00 UTC.
    let weekly = try CronSchedule("0 3 * * 2")
    #expect(weekly.next(after: Self.utc("2026-12-04T02:00:00Z")) == Self.utc("2026-12-08T03:00:00Z"))
    #expect(weekly.next(after: Self.utc("2026-12-08T03:00:00Z")) == Self.utc("2026-12-15T03:00:00Z"))
    #expect(
      weekly.previous(atOrBefore: Self.utc("2026-12-08T03:40:10Z"), within: 3600) == Self.utc("2026-12-08T03:00:00Z"))
    #expect(weekly.previous(atOrBefore: Self.utc("2026-12-08T04:01:00Z"), within: 3600) == nil)
    #expect(
      weekly.previous(atOrBefore: Self.utc("2026-12-30T00:00:00Z"), within: 32 * 86_400)
        == Self.utc("2026-12-29T03:00:00Z"))
    // Steps, ranges and lists.
    let often = try CronSchedule("*/15 9-17 * * 1-5")
    #expect(often.next(after: Self.utc("2026-12-04T17:50:00Z")) == Self.utc("2026-12-07T09:00:00Z"))  // Fri -> Mon
    #expect(often.next(after: Self.utc("2026-12-07T09:00:00Z")) == Self.utc("2026-12-07T09:15:00Z"))
    // Both day fields restricted: either one fires (the 1st of the month, and Sundays; 7 is Sunday too).
    let either = try CronSchedule("30 2 1 * 7")
    #expect(either.next(after: Self.utc("2026-12-04T00:00:00Z")) == Self.utc("2026-12-06T02:30:00Z"))
    #expect(either.next(after: Self.utc("2026-12-27T03:00:00Z")) == Self.utc("2027-01-01T02:30:00Z"))
    // February 30th never comes.
    #expect(try CronSchedule("0 0 30 2 *").next(after: Self.utc("2026-12-04T00:00:00Z")) == nil)
  }

  @Test func aBadCronExpressionNamesItsField() {
    #expect(throws: CronSchedule.ParseError.self) { try CronSchedule("0 3 * *") }
    do {
      _ = try CronSchedule("0 25 * * 2")
      Issue.record("accepted hour 25")
    } catch {
      #expect(error.description.hasPrefix("hour \"25\""))
    }
    do {
      _ = try CronSchedule("*/0 3 * * 2")
      Issue.record("accepted a step of 0")
    } catch {
      #expect(error.description.hasPrefix("minute \"*/0\""))
    }
  }

  // MARK: calendar

  static func drill(_ at: String, _ status: DrillStatus) -> DrillRecord {
    DrillRecord(
      id: 1, service: "orders", fromCluster: "east", toCluster: "west", status: status, trigger: .schedule,
      requestedBy: "schedule", reason: "", backAfterMs: 1000, refusal: [], report: DrillReport(),
      createdAt: utc(at), finishedAt: nil)
  }

  @Test func aScheduledInstantIsDueOnceWithinItsWindow() throws {
    let weekly = DrillSettings(schedule: try CronSchedule("0 3 * * 2"), window: .seconds(3600))
    let instant = Self.utc("2026-12-08T03:00:00Z")
    #expect(DrillCalendar.due(weekly, now: Self.utc("2026-12-08T02:59:00Z"), history: []) == nil)
    #expect(DrillCalendar.due(weekly, now: Self.utc("2026-12-08T03:20:00Z"), history: []) == instant)
    // Past the window: missed, not started late.
    #expect(DrillCalendar.due(weekly, now: Self.utc("2026-12-08T04:01:00Z"), history: []) == nil)
    // A refusal is tried again; a drill that started for the instant ends it.
    let refused = [Self.drill("2026-12-08T03:00:05Z", .refused)]
    #expect(DrillCalendar.due(weekly, now: Self.utc("2026-12-08T03:20:00Z"), history: refused) == instant)
    let ran = [Self.drill("2026-12-08T03:01:00Z", .failed)]
    #expect(DrillCalendar.due(weekly, now: Self.utc("2026-12-08T03:20:00Z"), history: ran) == nil)
    // Last week's drill is not this week's.
    let old = [Self.drill("2026-12-01T03:01:00Z", .passed)]
    #expect(DrillCalendar.due(weekly, now: Self.utc("2026-12-08T03:20:00Z"), history: old) == instant)
    #expect(DrillCalendar.due(DrillSettings(), now: instant, history: []) == nil)
  }

  @Test func aClosedWindowWithoutAPassedDrillIsOverdue() throws {
    let weekly = DrillSettings(schedule: try CronSchedule("0 3 * * 2"), window: .seconds(3600))
    let now = Self.utc("2026-12-09T12:00:00Z")  // the day after Tuesday's window
    let started = Self.utc("2026-12-01T00:00:00Z")
    #expect(DrillCalendar.overdue(weekly, now: now, started: started, history: []))
    #expect(
      DrillCalendar.overdue(weekly, now: now, started: started, history: [Self.drill("2026-12-08T03:05:00Z", .refused)])
    )
    #expect(
      DrillCalendar.overdue(weekly, now: now, started: started, history: [Self.drill("2026-12-08T03:05:00Z", .failed)]))
    #expect(
      !DrillCalendar.overdue(weekly, now: now, started: started, history: [Self.drill("2026-12-08T03:05:00Z", .passed)])
    )
    // Inside the window it is not overdue yet (last week's passed).
    #expect(
      !DrillCalendar.overdue(
        weekly, now: Self.utc("2026-12-08T03:30:00Z"), started: started,
        history: [Self.drill("2026-12-01T03:05:00Z", .passed)]))
    // A new installation (started after the instant, nothing on record) is not overdue for it.
    #expect(!DrillCalendar.overdue(weekly, now: now, started: Self.utc("2026-12-09T00:00:00Z"), history: []))
    // ... but an older drill on record makes the instant count.
    #expect(
      DrillCalendar.overdue(
        weekly, now: now, started: Self.utc("2026-12-09T00:00:00Z"),
        history: [Self.drill("2026-11-24T03:05:00Z", .passed)]))
  }

  // MARK: policy section

  @Test func aPolicysDrillSectionIsReadAndChecked() throws {
    let ok = try PolicyLoader.parse(
      yaml: """
        trigger: {any: [{clusterUnreachable: {for: 0s}}]}
        drill:
          schedule: "0 3 * * 2"
          window: 2h
          maxDuration: 10m
          backAfter: 2m
          maxRTO: 20s
          maxLagRecords: 100
        """, file: "p.yaml", defaultName: "p")
    #expect(ok.drill.schedule?.description == "0 3 * * 2")
    #expect(ok.drill.window == .seconds(7200))
    #expect(ok.drill.backAfter == .seconds(120))
    #expect(ok.drill.maxRTO == .seconds(20))
    #expect(ok.drill.maxLagRecords == 100)
    // A duration past what an Int64 of milliseconds holds is refused, not a trap.
    #expect(DurationText.parse("99999999999999999999h") == nil)
    #expect(DurationText.parse("2h") == .seconds(7200))
    do {
      _ = try PolicyLoader.parse(
        yaml: """
          trigger: {any: [{clusterUnreachable: {for: 0s}}]}
          drill:
            schedule: "0 3 * * tuesday"
            backAfter: 20m
            maxRTO: soon
          """, file: "p.yaml", defaultName: "p")
      Issue.record("accepted an invalid drill section")
    } catch {
      let lines = error.diagnostics.map(\.description)
      #expect(lines.contains { $0.hasPrefix("p.yaml:3:") && $0.contains("drill.schedule: day-of-week \"tuesday\"") })
      #expect(lines.contains { $0.contains("drill.backAfter: must be shorter than maxDuration (15m)") })
      #expect(lines.contains { $0.contains("drill.maxRTO: expected a duration") })
    }
  }

  // MARK: gates

  static let topology = Topology(
    regions: [Region(name: "r1"), Region(name: "r2")],
    clusters: [
      Cluster(name: "east", region: "r1", bootstrapServers: "e:1"),
      Cluster(name: "west", region: "r2", bootstrapServers: "w:1"),
    ],
    flows: [Flow(source: "east", target: "west"), Flow(source: "west", target: "east")],
    services: [Service(name: "orders", primary: "east", standbys: ["west"], topics: ["orders"])])

  static func facts(
    active: String = "east", health: [String: HealthState?] = ["east": .healthy, "west": .healthy],
    lag: Int64? = 3, budget: Int64? = 100
  ) -> DrillGate.Facts {
    DrillGate.Facts(
      service: topology.services[0],
      state: ServiceState(
        service: "orders", activeCluster: active, epoch: 1, state: .stable, writable: true, updatedAt: Date()),
      target: "west", topology: topology, health: health, openFailovers: [], runningDrill: nil, divergences: [],
      lag: lag, budget: budget, canary: nil)
  }

  @Test func everyClosedGateIsNamed() {
    #expect(DrillGate.closed(Self.facts()).isEmpty)
    #expect(DrillGate.closed(Self.facts(lag: 250)) == ["east->west is 250 records behind, over the budget of 100"])
    #expect(DrillGate.closed(Self.facts(lag: nil)) == ["lag of east->west unknown: the RPO budget cannot be checked"])
    let many = DrillGate.closed(
      Self.facts(active: "west", health: ["east": .degraded, "west": nil], lag: 500, budget: 10))
    #expect(
      many == [
        "orders is not at home: active west (stable), primary east", "east is degraded", "west has not been judged yet",
        "east->west is 500 records behind, over the budget of 10",
      ])
    var canary = Self.facts()
    canary.canary = .degraded
    #expect(DrillGate.closed(canary) == ["the replication canary of east->west is degraded"])
    var toPrimary = Self.facts()
    toPrimary.target = "east"
    #expect(DrillGate.closed(toPrimary).first?.hasPrefix("east is not a standby of orders") == true)
  }

  // MARK: tally

  @Test func theTallyMeasuresLossRereadsAndFollowTime() {
    var t = DrillTally()
    let t0 = Date(timeIntervalSince1970: 1_000)
    t.consumerMoved(to: "east")
    t.acknowledged([0, 1, 2], by: "east", at: t0)
    for s in [0, 1, 2] { t.read(s, when: t0) }
    t.consumerMoved(to: "west")
    t.read(2, when: t0.addingTimeInterval(3))  // the translated position was one behind
    t.acknowledged([3, 4], by: "west", at: t0.addingTimeInterval(2))
    t.read(3)
    #expect(t.acknowledgedCount == 5)
    #expect(t.lost == 1)
    #expect(t.reread == 1 && t.rereadsByStint == [1: 1])
    // Read before the switch at t0 + 1: the translation's; a record first read after the
    // switch and again later is not.
    #expect(t.rereadBefore(t0.addingTimeInterval(1), stint: 1) == 1)
    #expect(t.rereadBefore(t0, stint: 1) == 0)
    #expect(t.rereadSample == ["record 2 read again at  on west, first at  on east"])
    #expect(t.firstAck(by: "west", after: t0) == t0.addingTimeInterval(2))
    #expect(t.firstAck(by: "east", after: t0.addingTimeInterval(1)) == nil)
    t.read(4)
    #expect(t.caughtUp)
  }

  /// What a lost record's report says for diagnosis: where the broker stored it, how much
  /// the consumer read in each stint and to where, and why it could not start on a cluster.
  @Test func theTallySaysWhereALostRecordWasAndWhatTheConsumerDid() {
    var t = DrillTally()
    let t0 = Date(timeIntervalSince1970: 1_000)
    t.consumerMoved(to: "east", at: t0, starts: [TopicPartition("orders", 4): 0])
    t.acknowledged([0], by: "east", at: t0, places: ["orders[4]@0"])
    t.read(0)
    t.consumerRead(1, to: [TopicPartition("orders", 4): 1, TopicPartition("orders", 5): 0])
    t.consumerFailed(on: "west", "describe cluster: timed out")
    t.consumerFailed(on: "west", "committed: coordinator not available")
    t.acknowledged([1], by: "east", at: t0)
    #expect(t.unread().map(\.place) == [""])
    #expect(t.acks.first?.place == "orders[4]@0")
    #expect(t.stintLines == ["east at 1970-01-01T00:16:40.000Z: orders[4]@0; 1 records read, to orders[4]@1"])
    #expect(t.consumerFailureLines == ["west: 2 errors, the last: committed: coordinator not available"])
  }

  // MARK: journal

  @Test func drillsAreJournaledOneRunningAtATime() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drills-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try await StateStore.open(path: dir.appendingPathComponent("state.db").path)
    let running = try await store.openDrill(
      service: "orders", from: "east", to: "west", status: .running, trigger: .operator_, requestedBy: "op",
      reason: "weekly", backAfter: .seconds(60))
    await #expect(throws: StoreError.self) {
      try await store.openDrill(
        service: "payments", from: "east", to: "west", status: .running, trigger: .schedule, requestedBy: "schedule",
        reason: "", backAfter: .seconds(60))
    }
    let refused = try await store.openDrill(
      service: "payments", from: "east", to: "west", status: .refused, trigger: .schedule, requestedBy: "schedule",
      reason: "", backAfter: .seconds(60), refusal: ["east is degraded"])
    var report = DrillReport()
    report.acknowledged = 12
    report.consumed = 12
    report.offsetsExact = true
    var leg = DrillLeg(direction: .out, fromCluster: "east", toCluster: "west", requestedAt: Date())
    leg.rtoMs = 812
    report.legs = [leg]
    try await store.updateDrill(running.id, report: report, status: .passed)
    let all = try await store.drills()
    #expect(all.map(\.id) == [refused.id, running.id])
    #expect(all[0].status == .refused && all[0].refusal == ["east is degraded"] && all[0].finishedAt != nil)
    #expect(all[1].status == .passed && all[1].report.leg(.out)?.rtoMs == 812 && all[1].backAfterMs == 60_000)
    #expect(try await store.runningDrill() == nil)
    #expect(try await store.drills(service: "orders").count == 1)
  }
}
