import ControlService
import Foundation
import KafkaLab
import Logging
import Orchestrator

/// What every demo scenario builds the same way: the report's header, the mirrors, the
/// policy and topology files, the traffic, and the report's end.
extension DemoScenario {
  func newReport(database: String) -> DemoReport {
    var report = DemoReport()
    report.scenario = kind
    report.durationSeconds = duration
    report.recordsPerSecond = rate
    report.consumerGroups = groupsPerService * 2
    report.database = database
    return report
  }

  /// An MM2-style mirror per flow of the lab, `delay` behind its source.
  func mirrors(for lab: Lab, delay: Duration?) throws -> [LabMirror] {
    var settings = MirrorSettings()
    if let delay { settings.delay = delay }
    return try lab.topology.flows.map { flow in
      try LabMirror(
        flow: flow, topology: lab.topology, topics: lab.services.flatMap(\.topics), groups: lab.allGroups,
        settings: settings,
        sourceIsUp: { lab.region(flow.source)?.isDown == false })
    }
  }

  /// Writes `policy` as the work directory's `policies/active-passive.yaml` and the
  /// topology (the lab's, then 1 s probes with `extraProbes`, then an operator token for
  /// `secret`); the policies directory and the topology file.
  func writeConfiguration(
    labYAML: String, policy: String, policyName: String = "active-passive", secret: String, extraProbes: String = ""
  ) throws -> (policies: String, topology: String) {
    let policies = work.appendingPathComponent("policies")
    try FileManager.default.createDirectory(at: policies, withIntermediateDirectories: true)
    try policy.write(to: policies.appendingPathComponent("\(policyName).yaml"), atomically: true, encoding: .utf8)
    let file = work.appendingPathComponent("topology.yaml").path
    try
      (labYAML + """

        probes:
          interval: 1s
          timeout: 1s
        \(extraProbes)api:
          tokens:
            - {name: demo, role: operator, sha256: \(TokenAuthenticator.hexDigest(of: secret))}

        """).write(toFile: file, atomically: true, encoding: .utf8)
    return (policies.path, file)
  }

  /// A producer and consumer groups per service, following discovery at `server`.
  func traffic(_ lab: Lab, server: String, ledger: TrafficLedger) -> [LabTraffic] {
    let perService = max(1, rate / lab.services.count)
    return lab.services.map {
      LabTraffic(
        service: $0.name, group: $0.groups[0],
        extraGroups: $0.groups.dropFirst().filter { !$0.hasSuffix(Self.independentSuffix) },
        servers: [server], recordsPerSecond: perService,
        processingDelay: Self.processingDelay, isUp: { lab.region($0)?.isDown == false }, ledger: ledger)
    }
  }

  /// Writes the configuration (the lab's topology, `policy` as `policyName`, an operator
  /// token) and starts the control service on it in this process; its URL, the task that
  /// runs it, and the token's secret.
  func startControlService(labYAML: String, policy: String, policyName: String) async throws -> (
    url: String, serving: Task<Void, Error>, secret: String
  ) {
    let secret = TokenAuthenticator.newSecret()
    let file = try writeConfiguration(labYAML: labYAML, policy: policy, policyName: policyName, secret: secret).topology
    var logger = Logger(label: "failoverctl")
    logger.logLevel = ProcessInfo.processInfo.environment["DEMO_DEBUG"] != nil ? .info : .error
    let server = try await ControlServer.prepare(config: file, db: database, host: "127.0.0.1", port: 0, logger: logger)
    let (urls, found) = AsyncStream<String>.makeStream()
    let serving = Task { try await server.run(handlesSignals: false) { found.yield($0) } }
    var listening = urls.makeAsyncIterator()
    guard let url = await listening.next() else {
      serving.cancel()
      throw DemoError("the control service did not start")
    }
    say("control service at \(url), policy \(policyName), 1 s probes; state in \(database)")
    say("  operator token for this run: \(secret) (e.g. failoverctl status --server \(url) --token ...)")
    return (url, serving, secret)
  }

  /// Stops the traffic, then each server in order, waiting for each server to finish:
  /// returning (and exiting) while a server's connections are still being torn down can
  /// trap in NIO (an async writer dropped unfinished), which a loaded machine showed once.
  /// The traffic is not waited for: a follower's transfer ends when its server closes it.
  func stop(traffic: [Task<Void, Never>], servers: [Task<Void, Error>]) async {
    // What the servers log about connections cut by the shutdown is not news.
    DemoLogHandler.tearingDown.store(true, ordering: .relaxed)
    for t in traffic { t.cancel() }
    for s in servers {
      s.cancel()
      _ = await s.result
    }
  }

  /// Waits until the control service knows east->west's lag (before that an RPO budget
  /// rightly refuses an automatic failover) and has ingested MM2's checkpoint of every one
  /// of `groups` (without one, a failover from a dead east cannot translate the group),
  /// then lets the traffic run 30 % of the duration.
  func warmUp(_ api: ControlClient, checkpointed groups: [String]) async throws {
    let (lag, _) = try await api.waitUntilCheckpointed("east->west", timeout: .seconds(30))
    // The control service's own database, read beside it: the API has no call for MM2's state.
    let store = try await StateStore.open(path: database)
    let deadline = ContinuousClock.now + .seconds(30)
    while Set(try await store.checkpoints(flow: "east->west", groups: Set(groups)).map(\.checkpoint.group))
      != Set(groups)
    {
      guard ContinuousClock.now < deadline else {
        throw DemoError("the control service did not ingest a checkpoint of every consumer group within 30 s")
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    say(
      "the control service has ingested MM2's offset-syncs and a checkpoint of each of the \(groups.count) "
        + "consumer groups: east->west is \(lag) records behind")
    try await Task.sleep(for: .seconds(duration * 0.3))
  }

  /// What the first failovers after the event predicted and translated.
  func recordMoves(_ report: inout DemoReport, api: ControlClient, since eventDate: Date) async throws {
    let moves = try await api.failovers()
    report.detectionSeconds = moves.first.map { $0.createdAt.timeIntervalSince(eventDate) }
    report.expectedLossBound = DemoReport.lossBound(moves)
    report.groupsTranslated = moves.map { DemoReport.move($0).groupsTranslated }.reduce(0, +)
  }

  /// Runs the traffic to `--duration`, stops the producers, lets the consumers drain and
  /// fills in the report's counts, failovers and where the services ended.
  func finish(
    _ report: inout DemoReport, api: ControlClient, ledger: TrafficLedger, stop: DemoFlag,
    event: ContinuousClock.Instant
  ) async throws {
    let elapsed = (ContinuousClock.now - event) / .seconds(1) + duration * 0.3
    try await Task.sleep(for: .seconds(max(2, duration - elapsed)))
    stop.set()
    say("producers stop; consumers drain")
    report.apply(try await drained(ledger))
    report.failovers = try await api.failovers().map(DemoReport.move)
    report.servicesAfter = try await api.status().services.map {
      DemoReport.ServiceAfter(service: $0.service, activeCluster: $0.activeCluster, epoch: $0.epoch)
    }
  }
}
