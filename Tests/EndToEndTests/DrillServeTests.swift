import ControlService
import CurlHTTP
import Foundation
import KafkaClient
import Orchestrator
import Synchronization
import TestSupport
import Testing
import Topology

/// DR drills through the built server over the lab with MM2-style mirrors: a drill reports
/// RPO 0 and its RTO; one started while the flow is over its budget is refused with the reason.
/// One at a time: each starts a lab, a server and canary clients, and four at once on two
/// cores starve the suites that wait on leases and elections.
@Suite("DR drills through the built server", .serialized)
struct DrillServeTests {
  static let decoder = JSONCoding.decoder()

  /// Waits until a dry run finds every gate open (the first probes and lag measurement).
  func gatesOpen(_ f: ServeFixture, _ service: String) async throws -> [String] {
    var closed: [String] = ["not asked yet"]
    _ = try await eventually("every gate of a drill of \(service) is open", timeout: .seconds(60)) {
      let r = try await f.post("/v1/services/\(service)/drill", #"{"dryRun": true}"#)
      closed = try Self.decoder.decode(DrillRunner.Started.self, from: Data(r.body)).closedGates
      return closed.isEmpty
    }
    return closed
  }

  /// On librdkafka's mock clusters, and on Tansu, a broker this project did not write.
  @Test(arguments: ["mock", "tansu"]) func aDrillInTheLabReportsRPOZeroAndItsRTO(broker: String) async throws {
    let f = try await ServeFixture.start(labArguments: ["--mirror", "--broker", broker])
    defer { f.server.forceKill() }
    let closed = try await gatesOpen(f, "orders")
    #expect(closed.isEmpty, "\(closed)")
    let r = try await f.post("/v1/services/orders/drill", #"{"backAfter": "2s", "reason": "weekly"}"#)
    #expect(r.status == 202, "\(r.text)")
    let started = try Self.decoder.decode(DrillRunner.Started.self, from: Data(r.body))
    let id = try #require(started.drill?.id)
    var drill = try #require(started.drill)
    let ended = try await eventually("drill \(id) ended", timeout: .seconds(120), every: .milliseconds(250)) {
      drill = try Self.decoder.decode(
        DrillRecord.self, from: Data(try await f.get("/v1/drills/\(id)", as: "viewer").body))
      return drill.status != .running
    }
    #expect(ended)
    #expect(drill.status == .passed, "\(drill.report.problems) \(drill.report)")
    #expect(
      drill.report.lost == 0 && drill.report.acknowledged > 0 && drill.report.consumed == drill.report.acknowledged)
    // Exact: nothing read before a switch delivered again after it. A consumer slow to
    // follow discovery (a loaded machine) may read copies of the new cluster's first records
    // before it moves, and read them again there: counted in `reread`, not a translation error.
    #expect(drill.report.offsetsExact, "\(drill.report.rereadRecords)")
    #expect(drill.report.legs.map(\.direction) == [.out, .back])
    for leg in drill.report.legs {
      #expect(leg.failoverStatus == "succeeded" && (leg.rtoMs ?? -1) > 0 && (leg.clientFollowMs ?? -1) >= 0, "\(leg)")
      #expect(leg.steps.map(\.name).contains("switch-discovery"))
    }
    // Home again, and the history, the CLI and the metrics say what was measured.
    #expect(try await f.discovery("orders").active.cluster == "east")
    let history = try await Failoverctl.run(
      ["drill", "history", "orders", "--server", f.server.url, "--token", ServeFixture.tokens["viewer"]!])
    #expect(history.stdout.contains("passed") && history.stdout.contains("exact"), "\(history.stdout)")
    let metrics = try await f.get("/metrics").text
    #expect(metrics.contains("kafka_failover_drill_last_rto_seconds{service=\"orders\",direction=\"out\"}"))
    #expect(metrics.contains("kafka_failover_drill_last_passed{service=\"orders\"} 1"), "\(metrics)")
    _ = await f.stop()
  }

  @Test func aDrillWhileTheFlowIsOverBudgetIsRefusedWithTheReason() async throws {
    let policies = try Failoverctl.temporaryDirectory()
    let shipped = try String(contentsOfFile: "policies/active-passive.yaml", encoding: .utf8)
    try (shipped + "\ndrill:\n  maxLagRecords: 5\n").write(
      to: policies.appendingPathComponent("active-passive.yaml"), atomically: true, encoding: .utf8)
    let f = try await ServeFixture.start(serveArguments: ["--policies", policies.path], labArguments: ["--mirror"])
    defer { f.server.forceKill() }
    _ = try await gatesOpen(f, "orders")
    // The mirror east->west stops copying (its source connector paused, as Connect would),
    // and 40 records are written to east.
    let topology = try TopologyLoader.load(path: f.topology).topology
    let flow = try #require(topology.flow(from: "east", to: "west"))
    let connect = try #require(topology.connectURL(of: flow))
    let paused = try await f.http.send(
      HTTPRequest(method: .put, url: connect + "/connectors/\(flow.connectors.source)/pause", timeout: .seconds(5)))
    #expect(paused.status == 202)
    let east = try KafkaClient(properties: ["bootstrap.servers": topology.cluster("east")!.bootstrapServers])
    _ = try await east.produce(
      (0..<40).map { ProducerRecord(topic: "orders", key: Array("k\($0)".utf8), value: Array("v".utf8)) },
      timeout: .seconds(10))
    var closed: [String] = []
    let over = try await eventually("the lag of east->west is over the budget", timeout: .seconds(30)) {
      let r = try await f.post("/v1/services/orders/drill", #"{"dryRun": true}"#)
      closed = try Self.decoder.decode(DrillRunner.Started.self, from: Data(r.body)).closedGates
      return closed.contains { $0.contains("over the budget of 5") }
    }
    #expect(over, "\(closed)")
    let refused = try await f.post("/v1/services/orders/drill", #"{"backAfter": "2s"}"#)
    #expect(refused.status == 409)
    #expect(refused.text.contains("records behind, over the budget of 5"), "\(refused.text)")
    let list = try await f.drills(of: "orders")
    #expect(list.first?.status == .refused)
    #expect(list.first?.refusal.contains { $0.contains("over the budget of 5") } == true)
    // A stay the policy's maxDuration leaves no time to come back from: refused before the
    // gates, and audited like them.
    let tooLong = try await f.post("/v1/services/orders/drill", #"{"backAfter": "20m"}"#)
    #expect(
      tooLong.status == 409 && tooLong.text.contains("not shorter than the drill's maxDuration"), "\(tooLong.text)")
    let audit = try await f.get("/v1/audit?limit=10", as: "viewer").text
    #expect(audit.contains("rejected: backAfter 20m is not shorter"), "\(audit)")
    // Nothing moved.
    let discovery = try await f.discovery("orders")
    #expect(discovery.active.cluster == "east" && discovery.epoch == 1)
    _ = await f.stop()
  }

  /// A policy's schedule starts the drill without an operator (every minute, within an hour
  /// of it), once per scheduled minute; the webhook hears its end with the report.
  @Test func aScheduledDrillRunsByItselfAndIsAnnounced() async throws {
    let hooks = Mutex<[Data]>([])
    let receiver = try LoopbackHTTPServer { request in
      hooks.withLock { $0.append(Data(request.body)) }
      return .init(status: 204)
    }
    defer { receiver.stop() }
    let policies = try Failoverctl.temporaryDirectory()
    let shipped = try String(contentsOfFile: "policies/active-passive.yaml", encoding: .utf8)
      .replacingOccurrences(
        of: "  notify: []", with: "  notify:\n    - {webhook: \"\(receiver.baseURL)/hook\", events: [drill]}")
    try (shipped + "\ndrill:\n  schedule: \"* * * * *\"\n  window: 1h\n  backAfter: 1s\n").write(
      to: policies.appendingPathComponent("active-passive.yaml"), atomically: true, encoding: .utf8)
    let f = try await ServeFixture.start(serveArguments: ["--policies", policies.path], labArguments: ["--mirror"])
    defer { f.server.forceKill() }
    var drills: [DrillRecord] = []
    let ran = try await eventually("a scheduled drill passed", timeout: .seconds(120), every: .milliseconds(500)) {
      let body = try await f.get("/v1/drills", as: "viewer").body
      drills = try Self.decoder.decode([String: [DrillRecord]].self, from: Data(body))["drills"] ?? []
      return drills.contains { $0.trigger == .schedule && $0.status == .passed }
    }
    #expect(ran, "\(drills.map { "\($0.id) \($0.service) \($0.status) \($0.refusal) \($0.report.problems)" })")
    let passed = try #require(drills.first { $0.trigger == .schedule && $0.status == .passed })
    #expect(passed.requestedBy == "schedule" && passed.reason.hasPrefix("scheduled * * * * * at "))
    // One drill per scheduled minute and service: never two of the same service in a minute.
    let perMinute = Dictionary(grouping: drills.filter { $0.status != .refused }) {
      "\($0.service) \(Int($0.createdAt.timeIntervalSince1970 / 60))"
    }
    #expect(perMinute.values.allSatisfy { $0.count == 1 }, "\(perMinute.keys)")
    let announced = await eventually("the webhook heard the drill", timeout: .seconds(10)) {
      hooks.withLock { $0 }.contains { data in
        let body = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        return body?["event"] as? String == "drill"
          && (body?["drill"] as? [String: Any])?["id"] as? Int == Int(passed.id)
      }
    }
    #expect(announced)
    // Scheduled, and not overdue: the schedule's instants before any drill was on record do not count.
    var metrics = ""
    let shown = try await eventually("the schedule's metrics", timeout: .seconds(30)) {
      metrics = try await f.get("/metrics").text
      return metrics.contains("kafka_failover_drill_scheduled{service=\"orders\"} 1")
        && metrics.contains("kafka_failover_drill_overdue{service=\"orders\"} 0")
    }
    #expect(shown, "\(metrics)")
    _ = await f.stop()
  }

  /// The Drills view in a real browser (Tests/Console/console_drill.py): the plan and gates,
  /// the typed name, the drill followed to its report, the trend and the list.
  @Test func theConsoleDrillsAServiceAndShowsTheReport() async throws {
    try ConsoleTests.requireBrowser()
    let f = try await ServeFixture.start(labArguments: ["--mirror"])
    defer { f.server.forceKill() }
    _ = try await gatesOpen(f, "orders")
    let (status, out, err) = try await ConsoleTests.run(
      Failoverctl.packageRoot.appendingPathComponent("Tests/Console/console_drill.py"), f, [], within: .seconds(180))
    #expect(status == 0, "\(out)\n\(err)")
    #expect(out.contains("console check passed"))
    _ = await f.stop()
  }
}
