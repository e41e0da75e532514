import CurlHTTP
import Etcd
import Foundation
import HealthProbes
import Hummingbird
import KafkaConnect
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// `failoverctl serve`: probes, MM2 ingesters and the HTTP API in one process under
/// swift-service-lifecycle, which starts them in order and on SIGTERM or SIGINT shuts them
/// down in reverse: long-polls are answered, in-flight requests finish, then the rest stop.
public struct ControlServer: Sendable {
  let runtime: ControlRuntime
  public let api: ControlAPI
  let host: String
  let port: Int
  let plan: ProbePlan
  let ingesters: [MM2Ingester]
  let policies: [String: Policy]
  let votes: (any VantageVoteStore)?
  /// Coordinated: the shared store's change feed (etcd's watch).
  let feed: (any ServiceStateFeed)?
  let vantage: String
  let logger: Logger

  /// Loads and checks everything before anything starts: an invalid topology or a
  /// database that cannot be trusted throws here (ConfigError, StoreError).
  public static func prepare(
    config: String, db: String, host: String, port: Int, vantage: String = ProbeResult.defaultVantage,
    policiesDirectory: String? = nil, member: ControlPlaneMember? = nil, logger: Logger
  ) async throws -> ControlServer {
    let loaded = try TopologyLoader.load(path: config)
    let topology = loaded.topology
    let policies = try PolicySet.load(
      for: topology, topologyFile: config,
      directory: policiesDirectory ?? PolicySet.defaultDirectory(topologyFile: config))
    let store = try await StateStore.open(path: db)
    let snapshot = try await store.recordTopology(content: loaded.text, source: config)
    let http = HTTPClient(maxConcurrentRequests: min(64, topology.probes.maxConcurrent))
    var me = member ?? ControlPlaneMember(instance: ProcessInfo.processInfo.hostName, region: "", url: "")
    if me.url.isEmpty {
      me = ControlPlaneMember(instance: me.instance, region: me.region, url: "http://\(host):\(port)")
    }
    // Standalone, the region only labels /v1/control-plane; coordinated, it must be named.
    if topology.controlPlane == nil, me.region.isEmpty {
      me = ControlPlaneMember(instance: me.instance, region: topology.regions.first?.name ?? "", url: me.url)
    }
    // Shared state: this SQLite file alone, or etcd with the file for what this instance measures.
    let shared: any CoordinationStore
    let controlPlane: any ControlPlane
    var votes: (any VantageVoteStore)? = nil
    var feed: (any ServiceStateFeed)? = nil
    if let cp = topology.controlPlane {
      guard topology.regions.contains(where: { $0.name == me.region }) else {
        throw ControlServerError(
          .region,
          "serve --region \(me.region.isEmpty ? "(none)" : me.region): a coordinated orchestrator needs the region it "
            + "runs in, one of " + topology.regions.map(\.name).joined(separator: ", "))
      }
      let client = EtcdClient(endpoints: cp.endpoints, requestTimeout: min(.seconds(2), cp.leaseTTL / 5))
      let leader = EtcdLeader(client: client, prefix: cp.prefix, me: me, ttl: cp.leaseTTL, logger: logger)
      let etcd = EtcdCoordinationStore(client: client, prefix: cp.prefix, leader: leader)
      shared = etcd
      feed = etcd
      controlPlane = EtcdControlPlane(leader: leader, me: me, ttl: cp.leaseTTL)
      votes = EtcdVantageVotes(client: client, prefix: cp.prefix, leader: leader, instance: vantage)
    } else {
      shared = store
      controlPlane = StandaloneControlPlane(me: me)
    }
    let states = try await shared.ensureServices(topology)
    let plan = try ProbePlan(topology: topology, vantage: vantage, http: http, store: store)
    // Coordinated, each vantage point is placed in its region, so that the votes from
    // inside a cluster's own region can be told apart; standalone, the one vantage always counts.
    let health = HealthBoard(
      model: plan.model(), expected: plan.probes.map { HealthKey(kind: $0.kind, subject: $0.subject) },
      localRegion: votes == nil ? nil : me.region,
      regions: Dictionary(uniqueKeysWithValues: topology.clusters.map { ($0.name, $0.region) }))
    var ingesters: [MM2Ingester] = []
    for flow in topology.flows {
      ingesters.append(try MM2Ingester(flow: flow, topology: topology, store: store))
    }
    for policy in policies.values.sorted(by: { $0.name < $1.name }) {
      if let problem = PolicyLoader.standaloneQuorumProblem(policy.trigger, topology) {
        logger.warning("policy \(policy.name): \(problem)")
      }
    }
    if topology.api.tokens.isEmpty {
      logger.warning("api.tokens is empty: every route that needs a token will answer 401")
    }
    logger.info(
      "topology \(config) (version \(snapshot.version)): \(topology.services.count) services, \(plan.probes.count) probes, \(ingesters.count) flows; state in \(db)"
    )
    let runtime = ControlRuntime(
      topology: topology, store: shared, local: store, health: health, http: http,
      kafka: TopologyKafkaClusters(topology: topology), connect: ConnectREST(http: http),
      refresh: IngestRefresh(topology: topology, store: store), policies: policies, controlPlane: controlPlane,
      canaries: plan.canaries, logger: logger)
    for state in states { runtime.publish(state) }
    // Standalone: unfinished failovers resume before anything else can change the
    // services. Coordinated: the instance that becomes leader resumes them.
    if controlPlane.mode == .standalone {
      try await runtime.runner.resumeUnfinished(logger: logger)
      try await runtime.recoveries.resumeUnfinished()
    }
    // A drill runs in the process that started it: one journaled as running did not survive.
    try await runtime.drills.resumeUnfinished()
    return ControlServer(
      runtime: runtime, api: api(over: runtime), host: host, port: port, plan: plan, ingesters: ingesters,
      policies: policies, votes: votes, feed: feed, vantage: vantage, logger: logger)
  }

  /// Runs until SIGTERM or SIGINT (or until cancelled); `onListening` gets the bound
  /// address once the server accepts connections. A host process that owns the signals
  /// itself (the demo) passes `handlesSignals: false` and cancels the task instead.
  public func run(
    handlesSignals: Bool = true, onListening: @escaping @Sendable (String) -> Void = { _ in }
  ) async throws {
    let runtime = self.runtime
    let app = Application(
      router: api.router(),
      server: api.server,
      configuration: .init(address: .hostname(host, port: port), serverName: "failoverctl"),
      onServerRunning: { channel in
        let address = channel.localAddress
        let url = "http://\(address?.ipAddress ?? host):\(address?.port ?? port)"
        await runtime.drills.listening(url)
        onListening(url)
      },
      logger: logger)
    // Every background service runs supervised: a failure is logged, counted, shown, and
    // the service started again; none of them can end the server, and none dies silently.
    var background: [(String, any ServiceLifecycle.Service)] = [
      (
        "probes",
        ProbeRunner(
          scheduler: plan.scheduler, health: runtime.health, metrics: runtime.metrics, store: runtime.local,
          retention: runtime.topology.probes.retention, logger: logger)
      )
    ]
    // One ingester per flow, in the topology's order (`prepare`).
    for (flow, ingester) in zip(runtime.topology.flows, ingesters) {
      background.append(("ingest \(flow.name)", FlowIngest(ingester: ingester, logger: logger)))
    }
    background.append(
      (
        "lag-meter",
        LagMeter(
          topology: runtime.topology, local: runtime.local, health: runtime.health, lagBook: runtime.lagBook,
          kafka: runtime.kafka, clock: runtime.clock, logger: logger)
      ))
    if runtime.topology.services.contains(where: { $0.mode == .activePassive }) {
      background.append(
        (
          "standby-writes",
          StandbyWriteProbe(
            topology: runtime.topology, store: runtime.store, kafka: runtime.kafka, book: runtime.writes,
            metrics: runtime.metrics, clock: runtime.clock, logger: logger)
        ))
      background.append(
        (
          "divergence",
          DivergenceWatch(
            topology: runtime.topology,
            finder: DivergenceFinder(
              topology: runtime.topology, store: runtime.store, mm2: runtime.local, kafka: runtime.kafka),
            health: runtime.health, book: runtime.divergence, metrics: runtime.metrics, runner: runtime.runner,
            recoveries: runtime.recoveries, store: runtime.store, policies: runtime.policies, clock: runtime.clock,
            logger: logger)
        ))
    }
    if runtime.topology.services.contains(where: { $0.mode == .activeActive }) {
      background.append(
        (
          "copy-offsets",
          CopyOffsetRecorder(
            topology: runtime.topology, store: runtime.store, local: runtime.local, kafka: runtime.kafka,
            health: runtime.health, clock: runtime.clock, logger: logger)
        ))
    }
    for s in runtime.topology.services where s.conflictReport != nil {
      background.append(
        (
          "conflicts \(s.name)",
          ConflictProbe(
            name: s.name, topology: runtime.topology, kafka: runtime.kafka, book: runtime.writes,
            metrics: runtime.metrics, logger: logger)
        ))
    }
    if policies.values.contains(where: { $0.drill.schedule != nil }) {
      background.append(
        (
          "drill-schedule",
          DrillSchedule(
            topology: runtime.topology, policies: policies, drills: runtime.drills, local: runtime.local,
            metrics: runtime.metrics, clock: runtime.clock, logger: logger)
        ))
    }
    if !policies.isEmpty {
      background.append(
        (
          "auto-failover",
          AutoFailover(
            topology: runtime.topology, store: runtime.store, health: runtime.health, lagBook: runtime.lagBook,
            switcher: runtime.switcher, runner: runtime.runner, policies: policies, clock: runtime.clock,
            logger: logger)
        ))
    }
    if runtime.controlPlane.mode == .coordinated {
      background.append(
        (
          "control-plane",
          ControlPlaneLoop(
            controlPlane: runtime.controlPlane, runner: runtime.runner, recoveries: runtime.recoveries,
            metrics: runtime.metrics, logger: logger)
        ))
      background.append(
        (
          "shared-state",
          SharedStateFollower(
            store: runtime.store, feed: feed, board: runtime.board, publish: { runtime.publish($0) },
            window: SharedStateFollower.window, logger: logger)
        ))
    }
    if let votes {
      background.append(
        (
          "votes",
          VoteRound(
            votes: votes, health: runtime.health, instance: vantage,
            interval: VoteRound.interval(
              controlPlane: runtime.controlPlane.interval, probes: runtime.topology.probes.interval),
            logger: logger)
        ))
    }
    var services: [ServiceGroupConfiguration.ServiceConfiguration] = background.map { name, service in
      .init(
        service: Supervised(name, service, board: runtime.background, metrics: runtime.metrics, logger: logger),
        successTerminationBehavior: .ignore, failureTerminationBehavior: .ignore)
    }
    services.append(.init(service: app, failureTerminationBehavior: .gracefullyShutdownGroup))
    services.append(
      .init(
        service: LongPollCloser(board: runtime.board, shutdown: api.shutdown), successTerminationBehavior: .ignore))
    var configuration = ServiceGroupConfiguration(
      services: services, gracefulShutdownSignals: handlesSignals ? [.sigterm, .sigint] : [], logger: logger)
    configuration.maximumGracefulShutdownDuration = .seconds(30)
    try await ServiceGroup(configuration: configuration).run()
  }
}

/// Why the control service cannot start with these options.
public struct ControlServerError: Error, CustomStringConvertible, Sendable {
  public enum Code: String, Sendable, Equatable {
    /// `--region` is missing or names no region of the topology, in coordinated mode.
    case region
  }
  public let code: Code
  public let description: String
  init(_ code: Code, _ description: String) {
    self.code = code
    self.description = description
  }
}
