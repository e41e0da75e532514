import CurlHTTP
import Foundation
import KafkaConnect
import Logging
import Orchestrator
import Topology

/// What one running control service is made of, built once by `ControlServer.prepare`:
/// the stores, the live boards, the seams to Kafka and Connect, the switch, the failover
/// runner, and the one way to publish a service's state to discovery. The HTTP API and
/// each background service take from it what they use, through their `init`.
public struct ControlRuntime: Sendable {
  public let topology: Topology
  /// Shared state: services, journal, audit, leadership (standalone: the SQLite file).
  public let store: any CoordinationStore
  /// This instance's own measurements and MM2 state (probe history, checkpoints, syncs).
  public let local: StateStore
  public let board: DiscoveryBoard
  public let health: HealthBoard
  public let lagBook: LagBook
  public let metrics: ServiceMetrics
  public let kafka: any KafkaClusters
  public let http: HTTPClient
  public let runner: FailoverRunner
  public let switcher: ServiceSwitch
  public let clock: any Clock<Duration>
  /// Who leads; standalone: this process, always.
  public let controlPlane: any ControlPlane
  /// The policies the services name, by policy name.
  public let policies: [String: Policy]
  /// The supervised background services and their state.
  public let background = BackgroundBoard()
  /// Writes where they must not be (standby writes; active-active key conflicts).
  public let writes = WritesBook()
  /// What old primaries hold that never reached the clusters their services moved to.
  public let divergence = DivergenceBook()
  public let recoveries: RecoveryRunner
  /// The flows' replication canaries (the probe plan's), for status and metrics.
  public let canaries: [ReplicationCanary]
  public let drills: DrillRunner
  /// The drills' canary clients' token for discovery (a viewer's, for this process only).
  let drillToken = TokenAuthenticator.newSecret()

  public init(
    topology: Topology, store: any CoordinationStore, local: StateStore, health: HealthBoard, http: HTTPClient,
    kafka: any KafkaClusters, connect: any ConnectControl, refresh: any MM2Refresh, policies: [String: Policy],
    clock: any Clock<Duration> = ContinuousClock(), failpoints: Failpoints = Failpoints(),
    controlPlane: (any ControlPlane)? = nil, canaries: [ReplicationCanary] = [], logger: Logger
  ) {
    self.canaries = canaries
    self.controlPlane =
      controlPlane
      ?? StandaloneControlPlane(
        me: ControlPlaneMember(
          instance: ProcessInfo.processInfo.hostName, region: topology.regions.first?.name ?? "", url: ""))
    self.topology = topology
    self.policies = policies
    self.store = store
    self.local = local
    self.health = health
    self.http = http
    self.kafka = kafka
    self.clock = clock
    let metrics = ServiceMetrics()
    self.metrics = metrics
    let board = DiscoveryBoard(onWake: { metrics.discoveryWakeup($0) })
    self.board = board
    lagBook = LagBook()
    switcher = ServiceSwitch(topology: topology, store: store, mm2: local, kafka: kafka)
    let executor = FailoverExecutor(
      topology: topology, store: store, mm2: local, kafka: kafka, connect: connect, refresh: refresh, clock: clock,
      failpoints: failpoints, logger: logger,
      // Coordinated, an instance cut off from etcd serves its last document for up to
      // this long before it goes stale: a lease wait covers that too.
      discoveryStaleness: self.controlPlane.mode == .coordinated ? SharedStateFollower.staleAfter : .zero,
      publish: { Self.publish($0, topology: topology, board: board) })
    let webhooks = PolicyWebhooks(topology: topology, policies: policies, http: http, store: store, logger: logger)
    runner = FailoverRunner(
      executor: executor, policies: policies, webhooks: webhooks,
      ended: { metrics.failover(kind: $0.kind, outcome: $0.status.rawValue) })
    recoveries = RecoveryRunner(
      topology: topology, local: local, store: store, kafka: kafka, connect: connect, failpoints: failpoints,
      logger: logger)
    drills = DrillRunner(
      topology: topology, store: store, local: local, health: health, lagBook: lagBook, divergence: divergence,
      switcher: switcher, kafka: kafka, runner: runner, policies: policies, metrics: metrics, webhooks: webhooks,
      discoveryToken: topology.api.discoveryRequiresToken ? drillToken : nil, logger: logger)
  }

  /// Publishes a service's state as its discovery document.
  public func publish(_ state: ServiceState) { Self.publish(state, topology: topology, board: board) }

  static func publish(_ state: ServiceState, topology: Topology, board: DiscoveryBoard) {
    guard let service = topology.service(state.service) else { return }
    board.publish(PublishedDiscovery(DiscoveryDocument(service: service, state: state, topology: topology)))
  }
}
