import ControlService
import CurlHTTP
import Foundation
import KafkaClient
import KafkaLab
import Logging
import Orchestrator
import Synchronization

/// One demo scenario end to end in this process: simulated regions, MM2-style mirrors,
/// the control service (embedded SQLite), traffic following discovery, the scenario's
/// event, and the report.
struct DemoScenario {
  enum Kind: String, CaseIterable {
    /// The primary region dies; the policy fails over automatically.
    case unplanned
    /// An operator's planned switchover to the standby.
    case planned
    /// The primary dies with replication caught up, fails over, comes back, fails back.
    case failback
  }

  struct Report: Codable {
    var scenario = ""
    var produced = 0
    var acknowledged = 0
    var consumed = 0
    var lost = 0
    var redelivered = 0
    var detectionSeconds: Double? = nil
    var failoverSeconds: Double? = nil
    var groupsTranslated = 0
    var expectedLossBound: Int64 = 0
    var failovers: [FailoverRecord] = []
    var epoch: Int64 = 0
    var activeCluster = ""
    var database = ""
  }

  let kind: Kind
  let duration: Double
  let database: String
  let work: URL
  let say: @Sendable (String) -> Void

  /// The demo's policy: the shipped active-passive one with 1 s probes in mind.
  static let policy = """
    trigger:
      any: [{clusterUnreachable: {for: 0s}}]
    guards: {maxLagRecords: 100000, healthyTarget: true, cooldown: 10m, approval: automatic}
    action: {target: best-standby, translation: auto, fence: true, drainTimeout: 30s, replication: pause}
    """

  func run() async throws -> Report {
    var report = Report()
    report.scenario = kind.rawValue
    report.database = database
    let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
    say("regions east and west (librdkafka mock clusters); MM2-style mirrors both ways")
    let topology = lab.topology
    // Unplanned: replication runs a second behind, so the failure loses what it had not
    // copied yet (bounded by the lag the orchestrator measured).
    var settings = MirrorSettings()
    if kind == .unplanned { settings.delay = .seconds(1) }
    let mirrors = try topology.flows.map {
      try LabMirror(
        flow: $0, topology: topology, topics: lab.services.flatMap(\.topics), groups: lab.services.flatMap(\.groups),
        settings: settings)
    }
    let replicating = mirrors.map { m in Task { await m.run() } }
    defer { for r in replicating { r.cancel() } }

    let secret = TokenAuthenticator.newSecret()
    try FileManager.default.createDirectory(at: work.appendingPathComponent("policies"), withIntermediateDirectories: true)
    try Self.policy.write(to: work.appendingPathComponent("policies/active-passive.yaml"), atomically: true, encoding: .utf8)
    let file = work.appendingPathComponent("topology.yaml").path
    try (lab.topologyYAML + """

      probes:
        interval: 1s
        timeout: 1s
      api:
        tokens:
          - {name: demo, role: operator, sha256: \(TokenAuthenticator.hexDigest(of: secret))}

      """).write(toFile: file, atomically: true, encoding: .utf8)
    var logger = Logger(label: "demo")
    logger.logLevel = ProcessInfo.processInfo.environment["DEMO_DEBUG"] != nil ? .info : .critical
    let server = try await ControlServer.prepare(
      config: file, db: database, host: "127.0.0.1", port: 0, logger: logger)
    let (urls, found) = AsyncStream<String>.makeStream()
    let serving = Task { try await server.run { found.yield($0) } }
    defer { serving.cancel() }
    var it = urls.makeAsyncIterator()
    guard let url = await it.next() else { throw FailoverError("the control service did not start") }
    say("control service at \(url) (state in \(database))")

    let stop = Switch()
    let hold = Switch()
    let ledger = TrafficLedger()
    let traffic = lab.services.map {
      LabTraffic(
        service: $0.name, group: $0.groups[0], discoveryURL: "\(url)/v1/services/\($0.name)/discovery",
        recordsPerSecond: 200, ledger: ledger)
    }
    let running = traffic.map { t in
      Task { await t.run(stopProducing: { stop.isSet }, holdProducing: { hold.isSet }) }
    }
    defer { for r in running { r.cancel() } }
    let http = HTTPClient(maxConcurrentRequests: 4)
    let auth = [HTTPHeader("Authorization", "Bearer \(secret)"), HTTPHeader("Content-Type", "application/json")]
    let warmup = max(3, duration / 3)
    say("traffic: 200 records/s per service with acks=all, consumers committing; \(Int(warmup)) s warm-up")
    try await Task.sleep(for: .seconds(warmup))
    await progress(ledger)

    let east = lab.region("east")!
    let started = ContinuousClock.now
    switch kind {
    case .unplanned:
      report.expectedLossBound = try await lagAtFailure(topology, hold: hold)
      say("region east fails (replication was \(report.expectedLossBound) records behind)")
      east.fail()
      hold.clear()
    case .failback:
      hold.set()
      try await Task.sleep(for: .seconds(2))
      report.expectedLossBound = try await lagAtFailure(topology, hold: hold)
      say("region east fails with replication caught up (\(report.expectedLossBound) behind)")
      east.fail()
      hold.clear()
    case .planned:
      say("planned switchover of every service to west")
      for s in lab.services {
        _ = try await http.send(
          HTTPRequest(
            method: .post, url: "\(url)/v1/services/\(s.name)/promote", headers: auth,
            body: Array(#"{"to": "west", "reason": "demo"}"#.utf8), timeout: .seconds(10)))
      }
    }
    // Detection: the first epoch change seen by a client; failover: until every service is on west.
    var detected: Duration? = nil
    while ContinuousClock.now - started < .seconds(60) {
      let views = await traffic.asyncMap { await $0.follower.view }
      if detected == nil, views.contains(where: { ($0?.epoch ?? 1) > 1 }) { detected = ContinuousClock.now - started }
      if views.allSatisfy({ $0?.cluster == "west" && $0?.writable == true }) { break }
      try await Task.sleep(for: .milliseconds(100))
    }
    report.detectionSeconds = detected.map { $0 / .seconds(1) }
    report.failoverSeconds = (ContinuousClock.now - started) / .seconds(1)
    say(String(format: "every service active on west after %.1f s", report.failoverSeconds ?? 0))
    await progress(ledger)

    if kind == .failback {
      east.recover()
      say("region east is back; waiting for replication west->east, then failing back")
      try await Task.sleep(for: .seconds(3))
      for s in lab.services {
        _ = try await http.send(
          HTTPRequest(
            method: .post, url: "\(url)/v1/services/\(s.name)/failback", headers: auth,
            body: Array(#"{"reason": "demo"}"#.utf8), timeout: .seconds(10)))
      }
      for _ in 0..<300 {
        let views = await traffic.asyncMap { await $0.follower.view }
        if views.allSatisfy({ $0?.cluster == "east" && $0?.writable == true }) { break }
        try await Task.sleep(for: .milliseconds(100))
      }
      say("every service back on east")
    }
    try await Task.sleep(for: .seconds(max(2, duration / 3)))
    stop.set()
    say("producers stopped; consumers drain")
    var totals = await ledger.totals
    for _ in 0..<50 where totals.consumed < totals.acknowledged {
      try await Task.sleep(for: .milliseconds(200))
      totals = await ledger.totals
    }
    report.produced = totals.produced
    report.acknowledged = totals.acknowledged
    report.consumed = totals.consumed
    report.lost = totals.lost
    report.redelivered = totals.redelivered
    report.failovers = try await server.api.store.failovers().reversed()
    report.groupsTranslated = report.failovers.reduce(0) { sum, f in
      sum + (f.steps.first { $0.name == "translate-offsets" }.map { Self.groups(in: $0.details) } ?? 0)
    }
    let orders = try await server.api.store.serviceState("orders")
    report.epoch = orders?.epoch ?? 0
    report.activeCluster = orders?.activeCluster ?? ""
    return report
  }

  /// Holds the producers, measures the flow's lag with the orchestrator's own code (the
  /// bound an unplanned failover can lose), and leaves them held: the caller fails the
  /// region before releasing them.
  private func lagAtFailure(_ topology: Topology, hold: Switch) async throws -> Int64 {
    hold.set()
    try await Task.sleep(for: .milliseconds(200))
    var total: Int64 = 0
    let dir = work.appendingPathComponent("lag")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try await StateStore.open(path: dir.appendingPathComponent("lag.db").path)
    let flow = topology.flow(from: "east", to: "west")!
    _ = try? await MM2Ingester(flow: flow, topology: topology, store: store).catchUp(timeout: .seconds(5))
    let source = try topology.cluster("east")!.makeClient(timeout: .seconds(2))
    total += try await FlowLag.measure(flow: flow, store: store, source: source).recordsBehind ?? 0
    return total
  }

  private func progress(_ ledger: TrafficLedger) async {
    let t = await ledger.totals
    say("  produced \(t.produced), acknowledged \(t.acknowledged), consumed \(t.consumed)")
  }

  /// `N of M group-partitions of G groups translated` -> G.
  static func groups(in details: String) -> Int {
    let words = details.split(separator: " ")
    guard let i = words.firstIndex(of: "groups"), i > 0 else { return 0 }
    return Int(words[i - 1]) ?? 0
  }
}

/// A flag set and cleared from one task and read from others.
final class Switch: Sendable {
  private let box = Mutex(false)
  func set() { box.withLock { $0 = true } }
  func clear() { box.withLock { $0 = false } }
  var isSet: Bool { box.withLock { $0 } }
}

extension Array where Element: Sendable {
  func asyncMap<T>(_ f: (Element) async -> T) async -> [T] {
    var out: [T] = []
    for e in self { out.append(await f(e)) }
    return out
  }
}
