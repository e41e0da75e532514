import ControlService
import CurlHTTP
import Foundation
import KafkaClient
import KafkaLab
import MM2
import Orchestrator
import Synchronization
import TestSupport
import Testing

/// Regions in this test process (so the test can fail one), `failoverctl serve` as a
/// separate process with a policy directory of the test's own.
@Suite("Automatic failover by policy", .serialized)
struct AutoFailoverTests {
  static let automatic = """
    trigger:
      any: [{clusterUnreachable: {for: 0s}}]
    guards: {healthyTarget: true, cooldown: 10m, approval: automatic}
    action: {target: best-standby, replication: none}
    """

  struct Running {
    let lab: Lab
    var fixture: ServeFixture
  }

  /// - Parameter down: regions that fail before the server starts (it never hears from them).
  static func start(
    policy: String, connectURL: String? = nil, down: [String] = [], environment: [String: String] = [:]
  ) async throws -> Running {
    let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
    for region in down { lab.region(region)!.fail() }
    let dir = try Failoverctl.temporaryDirectory()
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("policies"), withIntermediateDirectories: true)
    try policy.write(
      to: dir.appendingPathComponent("policies/active-passive.yaml"), atomically: true, encoding: .utf8)
    let topology = dir.appendingPathComponent("lab.yaml").path
    var yaml = lab.topologyYAML
    if let connectURL {
      yaml = yaml.replacingOccurrences(
        of: "target: \"west\"\n", with: "target: \"west\"\n    connectUrl: \"\(connectURL)\"\n")
    }
    yaml += "\nprobes:\n  interval: 500ms\n  timeout: 500ms\n  failuresToDown: 3\n" + ServeFixture.tokensYAML
    try yaml.write(toFile: topology, atomically: true, encoding: .utf8)
    let db = dir.appendingPathComponent("state.db").path
    let server = try await ServeProcess.start(config: topology, db: db, environment: environment)
    return Running(lab: lab, fixture: ServeFixture(dir: dir, topology: topology, db: db, lab: nil, server: server))
  }

  /// Waits (up to `seconds`) for the service's discovery epoch to reach `epoch`.
  static func waitForEpoch(_ f: ServeFixture, _ service: String, _ epoch: Int64, seconds: Int = 30) async throws
    -> DiscoveryDocument
  {
    var doc = try await f.discovery(service)
    let deadline = ContinuousClock.now + .seconds(seconds)
    while doc.epoch < epoch, ContinuousClock.now < deadline {
      let r = try await f.get("/v1/services/\(service)/discovery?wait=5&epoch=\(doc.epoch)", timeout: .seconds(10))
      if r.status == 200 { doc = try JSONCoding.decoder().decode(DiscoveryDocument.self, from: Data(r.body)) }
    }
    return doc
  }

  /// Waits until /v1/status judges each named cluster as given.
  static func judged(_ f: ServeFixture, _ expected: [String: String]) async throws -> Bool {
    try await eventually("clusters judged \(expected)", timeout: .seconds(60)) {
      let clusters = try await f.status().clusters
      return expected.allSatisfy { name, state in clusters.contains { $0.cluster == name && $0.state.rawValue == state }
      }
    }
  }

  @Test func aRegionThatGoesDownIsFailedOverAutomaticallyAndComesHomeOnlyByFailback() async throws {
    let r = try await Self.start(policy: Self.automatic)
    let f = r.fixture
    // East holds 10 records of orders[0]; MM2 had replicated offsets 0 to 5 when it failed
    // (copies keep key, value and timestamp).
    let topology = r.lab.topology
    let east = try topology.cluster("east")!.makeClient()
    func record(_ topic: String, _ i: Int) -> ProducerRecord {
      ProducerRecord(topic: topic, partition: 0, value: Array("o\(i)".utf8), timestamp: 1_700_000_000_000 + Int64(i))
    }
    _ = try await east.produce((0..<10).map { record("orders", $0) })
    _ = try await topology.cluster("west")!.makeClient().produce((0..<6).map { record("east.orders", $0) })
    let sync = OffsetSync(topic: "orders", partition: 0, upstreamOffset: 5, downstreamOffset: 5)
    _ = try await east.produce([
      ProducerRecord(
        topic: topology.flow(from: "east", to: "west")!.offsetSyncsTopic, partition: 0, key: sync.key, value: sync.value
      )
    ])
    // Healthy first, as judged by the probes: nothing happens (the policy's decisions on
    // each state are on the test clock in ControlServiceTests/AutoFailoverTests).
    #expect(try await Self.judged(f, ["east": "healthy", "west": "healthy"]))
    #expect(try await f.discovery("orders").epoch == 1)

    r.lab.region("east")!.fail()
    let doc = try await Self.waitForEpoch(f, "orders", 3, seconds: 60)
    #expect(doc.epoch == 3 && doc.active.cluster == "west")
    let first = try #require(try await f.failovers(of: "orders").first)
    #expect(first.requestedBy == "policy:active-passive")
    #expect(first.kind == .failover)
    let id = first.id
    #expect(try await f.finished(id).status == .succeeded)

    // The region comes back: nothing but an explicit failback moves the service home.
    r.lab.region("east")!.recover()
    #expect(try await Self.judged(f, ["east": "healthy"]))
    let after = try await f.discovery("orders")
    #expect(after.epoch == 3 && after.active.cluster == "west")

    // Failback: the plan names the 4 records (6 to 9) east kept that west never received.
    let plan = try decoded(
      try await f.post("/v1/services/orders/failback", #"{"dryRun": true}"#), as: SwitchOutcome.self)
    let unreplicated = try #require(plan.unreplicated)
    #expect(unreplicated.count == 1)
    #expect(unreplicated.first?.topic == "orders")
    #expect(unreplicated.first?.recordsBehind == 4)
    let back = try await f.switchOver("/v1/services/orders/failback", #"{"reason": "east is back"}"#)
    #expect(back.status == .succeeded, "\(back)")
    #expect(back.kind == .failback)
    let home = try await f.discovery("orders")
    #expect(home.active.cluster == "east" && home.epoch == 5)
    #expect(try await f.post("/v1/services/orders/failback", "{}").status == 409)
    let (status, err) = await f.server.stop()
    #expect(status == 0, "\(err)")
  }

  @Test func aManualPolicyOpensAPendingFailoverThatWaitsForAck() async throws {
    // One loopback server plays Kafka Connect and the webhook receiver.
    let seen = RequestLog()
    let http = try LoopbackHTTPServer { request in
      seen.append("\(request.method) \(request.path)")
      if request.path == "/hook",
        let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any]
      {
        seen.append("event \(body["event"] as? String ?? "?")")
      }
      return .init(status: request.method == "PUT" ? 202 : 200, body: "{}")
    }
    defer { http.stop() }
    let manual = """
      trigger:
        any: [{clusterUnreachable: {for: 0s}}]
      guards: {healthyTarget: true, cooldown: 10m, approval: manual}
      action:
        target: best-standby
        replication: pause
        notify: [{webhook: "\(http.baseURL)/hook", events: [pending, succeeded]}]
      """
    let r = try await Self.start(
      policy: manual,
      connectURL: http.baseURL)
    let f = r.fixture
    r.lab.region("east")!.fail()
    var pending: FailoverRecord? = nil
    _ = try await eventually("a pending failover of orders", timeout: .seconds(30), every: .milliseconds(250)) {
      pending = try await f.failovers(of: "orders").first { $0.status == .pending }
      return pending != nil
    }
    let id = try #require(pending?.id)
    // Nothing moves while it waits.
    #expect(try await f.discovery("orders").epoch == 1)
    #expect(try await f.post("/v1/failovers/\(id)/ack", "{}", as: "viewer").status == 403)
    #expect(try await f.post("/v1/failovers/\(id)/ack", "{}").status == 202)
    #expect(try await f.finished(id).status == .succeeded)
    #expect(try await f.discovery("orders").active.cluster == "west")
    // payments, still on east awaiting its own ack, needs east->west: it is left running.
    let details = try await f.failovers(of: "orders").first?.steps.map(\.details) ?? []
    #expect(details.contains { $0.contains("east->west left running: it still replicates payments") }, "\(details)")
    #expect(!seen.all.contains { $0.hasSuffix("/pause") })
    // Once payments moves too, MM2's connectors of east->west are paused through the
    // Connect REST API; the webhook heard of both pending failovers and both successes.
    let other = try #require(try await f.failovers(of: "payments").first { $0.status == .pending }?.id)
    #expect(try await f.post("/v1/failovers/\(other)/ack", "{}").status == 202)
    #expect(try await f.finished(other).status == .succeeded)
    try await Task.sleep(for: .milliseconds(500))
    let log = seen.all
    for c in ["MirrorSourceConnector", "MirrorCheckpointConnector", "MirrorHeartbeatConnector"] {
      #expect(log.contains("PUT /connectors/\(c)/pause"), "\(log)")
    }
    #expect(
      log.filter { $0.hasPrefix("event ") } == [
        "event pending", "event pending", "event succeeded", "event succeeded",
      ],
      "\(log)")
    _ = await f.server.stop()
  }

  /// No record written yet and no MM2 state at all (a new service, a quiet night): the
  /// flow is 0 behind, within any RPO budget, and MM2 had nothing to checkpoint, so the
  /// shipped policy (RPO budget and checkpoint age) fails a dead region over by itself.
  @Test func anIdleDeploymentFailsOverByTheShippedPolicyWhenItsRegionDies() async throws {
    let shipped = try String(
      contentsOf: Failoverctl.packageRoot.appendingPathComponent("policies/active-passive.yaml"), encoding: .utf8)
    let r = try await Self.start(policy: shipped)
    let f = r.fixture
    let measured = try await eventually("the lag of east->west is measured") {
      try await f.status().flows.first { $0.flow == "east->west" }?.recordsBehind == 0
    }
    #expect(measured)
    r.lab.region("east")!.fail()
    let doc = try await Self.waitForEpoch(f, "orders", 3, seconds: 60)
    #expect(doc.active.cluster == "west", "\(doc)")
    _ = await f.server.stop()
  }

  @Test func anRPOBudgetThatCannotBeCheckedRefusesTheFailover() async throws {
    // East is gone before the orchestrator ever heard from it: its lag is unknown, so an
    // RPO budget refuses.
    let budget = Self.automatic.replacingOccurrences(
      of: "guards: {", with: "guards: {maxLagRecords: 100, ")
    let r = try await Self.start(policy: budget, down: ["east"])
    let f = r.fixture
    try await Task.sleep(for: .seconds(6))
    #expect(try await f.discovery("orders").epoch == 1)
    let (_, err) = await f.server.stop()
    #expect(err.contains("refused by maxLagRecords"))
  }
}

/// Requests a loopback server saw, in order.
final class RequestLog: Sendable {
  private let box = Mutex<[String]>([])
  func append(_ s: String) { box.withLock { $0.append(s) } }
  var all: [String] { box.withLock { $0 } }
}
