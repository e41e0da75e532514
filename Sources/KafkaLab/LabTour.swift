import CurlHTTP
import Foundation
import HealthProbes
import KafkaClient
import Orchestrator

/// What `failoverctl demo` does today: bring up simulated regions, write and validate
/// their topology, record it in the state database, put traffic on the primary, look at
/// every cluster, then fail a region and bring it back while watching it.
public struct LabTour: Sendable {
  public struct Report: Codable, Sendable {
    public var scenario = "lab-tour"
    public var regions: [RegionInfo] = []
    public var topologyFile = ""
    public var database = ""
    public var topologyVersion: Int64 = 0
    public var services: [ServiceState] = []
    public var produced = 0
    public var clusters: [ClusterHealth] = []
    public var failedRegion = ""
    public var whileDown: ClusterHealth?
    public var afterRecovery: ClusterHealth?
    /// The unplanned failovers of the failed region's services, then their failbacks.
    public var failovers: [FailoverRecord] = []
    public var failbacks: [FailoverRecord] = []
    public var servicesAfterFailover: [ServiceState] = []
    public var servicesAfterFailback: [ServiceState] = []
  }

  public struct RegionInfo: Codable, Sendable {
    public let name: String
    public let brokers: Int
    public let bootstrapServers: String
  }

  public let regionNames: [String]
  public let workDirectory: URL
  public let databasePath: String
  public let recordsPerTopic: Int

  public init(regionNames: [String], workDirectory: URL, databasePath: String, recordsPerTopic: Int = 500) {
    self.regionNames = regionNames
    self.workDirectory = workDirectory
    self.databasePath = databasePath
    self.recordsPerTopic = recordsPerTopic
  }

  public func run(progress: @escaping @Sendable (String) -> Void) async throws -> Report {
    var report = Report()
    progress("starting \(regionNames.count) simulated regions (librdkafka mock clusters, 3 brokers each)")
    let lab = try Lab(regions: regionNames)
    report.regions = lab.regions.map {
      RegionInfo(name: $0.name, brokers: $0.brokerCount, bootstrapServers: $0.bootstrapServers)
    }
    for r in report.regions { progress("  \(r.name): \(r.bootstrapServers)") }

    let file = workDirectory.appendingPathComponent("topology.yaml").path
    try lab.topologyYAML.write(toFile: file, atomically: true, encoding: .utf8)
    let loaded = try TopologyLoader.load(path: file)
    report.topologyFile = file
    let t = loaded.topology
    progress(
      "topology \(file) is valid: \(t.regions.count) regions, \(t.clusters.count) clusters, "
        + "\(t.flows.count) flows, \(t.services.count) services")

    let store = try await StateStore.open(path: databasePath)
    let snapshot = try await store.recordTopology(content: loaded.text, source: file)
    report.database = databasePath
    report.topologyVersion = snapshot.version
    report.services = try await store.ensureServices(t)
    for s in report.services {
      progress("service \(s.service): active on \(s.activeCluster), epoch \(s.epoch) (stored in \(databasePath))")
    }

    let clients = try Dictionary(
      uniqueKeysWithValues: t.clusters.map {
        ($0.name, try KafkaClient(bootstrapServers: $0.bootstrapServers, defaultTimeout: .seconds(5)))
      })
    let primary = t.services[0].primary
    for service in t.services {
      for topic in service.topics {
        let records = (0..<recordsPerTopic).map { i in
          ProducerRecord(topic: topic, key: Array("key-\(i % 16)".utf8), value: Array("\(service.name)-\(i)".utf8))
        }
        report.produced += try await clients[primary]!.produce(records).count
      }
    }
    progress("produced \(report.produced) records (acks=all) to the services' topics on \(primary)")

    report.clusters = await probeAll(t, clients)
    progress("cluster state:\n" + TextTable.render(ClusterHealth.tableHeader, report.clusters.map(\.tableRow)))
    let failed = lab.regions[0]
    report.failedRegion = failed.name
    progress("injecting a regional failure: every broker of \(failed.name) goes down")
    failed.fail()
    let failedCluster = t.cluster(failed.name)!
    let down = await probe(failedCluster, clients[failed.name]!, timeout: .seconds(2))
    report.whileDown = down
    progress(
      "  \(down.cluster): \(down.state.rawValue) after \(Int(down.latencyMilliseconds)) ms (\(down.reasons.first ?? ""))"
    )
    // Every service active in the failed region fails over, as the journaled executor
    // runs it (unplanned: fence, no drain, translate, switch). The lab has no mirror yet,
    // so there are no MM2 checkpoints to translate.
    let executor = FailoverExecutor(topology: t, store: store, http: HTTPClient(maxConcurrentRequests: 2)) { state in
      progress(
        "    discovery: \(state.service) epoch \(state.epoch), active \(state.activeCluster)"
          + (state.writable ? "" : " (not writable)"))
    }
    var settings = FailoverSettings()
    settings.replication = .none
    let switcher = ServiceSwitch(topology: t, store: store)
    for service in t.services where service.primary == failed.name {
      guard let target = service.standbys.first else { continue }
      progress("failing \(service.name) over from \(failed.name) to \(target)")
      let outcome = try await switcher.promote(
        service: service.name, PromoteRequest(target: target, mode: .forced, reason: "demo: \(failed.name) is down"),
        actor: "demo", targetHealth: .healthy, kind: "failover", knownLoss: .some(nil))
      guard let record = outcome.failover else { continue }
      let done = await executor.run(record, settings: settings)
      report.failovers.append(done)
      progress("  failover \(done.id): \(done.status) in \(Self.took(done)) (\(Self.stepSummary(done)))")
    }
    report.servicesAfterFailover = try await store.serviceStates()
    failed.recover()
    var after = down
    for _ in 0..<20 where after.state != .healthy {
      after = await probe(failedCluster, clients[failed.name]!, timeout: .seconds(1))
    }
    report.afterRecovery = after
    progress("  \(failed.name) back up: \(after.state.rawValue); nothing moves back until a failback")
    for service in t.services where service.primary == failed.name {
      progress("failing \(service.name) back to \(failed.name)")
      let outcome = try await switcher.failback(
        service: service.name, dryRun: false, reason: "demo: \(failed.name) recovered", actor: "demo",
        homeHealth: after.state)
      guard let record = outcome.failover else { continue }
      let done = await executor.run(record, settings: settings)
      report.failbacks.append(done)
      progress("  failback \(done.id): \(done.status) in \(Self.took(done)) (\(Self.stepSummary(done)))")
    }
    report.servicesAfterFailback = try await store.serviceStates()
    return report
  }

  static func took(_ r: FailoverRecord) -> String {
    guard let end = r.finishedAt else { return "-" }
    return String(format: "%.0f ms", end.timeIntervalSince(r.createdAt) * 1000)
  }

  static func stepSummary(_ r: FailoverRecord) -> String {
    r.steps.filter { $0.status == "done" }.map(\.name).joined(separator: ", ")
  }

  private func probeAll(_ t: Topology, _ clients: [String: KafkaClient]) async -> [ClusterHealth] {
    var results: [ClusterHealth] = []
    for c in t.clusters {
      results.append(await probe(c, clients[c.name]!, timeout: .seconds(5)))
    }
    return results
  }

  private func probe(_ cluster: Cluster, _ client: KafkaClient, timeout: Duration) async -> ClusterHealth {
    await KafkaMetadataProbe(
      cluster: cluster.name, client: client, bootstrapServers: cluster.bootstrapServers,
      expectedBrokers: cluster.expectedBrokers, timeout: timeout
    ).run()
  }
}
