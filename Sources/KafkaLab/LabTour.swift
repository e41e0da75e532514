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

  public func run(progress: @Sendable (String) -> Void) async throws -> Report {
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
    failed.recover()
    var after = down
    for _ in 0..<20 where after.state != .healthy {
      after = await probe(failedCluster, clients[failed.name]!, timeout: .seconds(1))
    }
    report.afterRecovery = after
    progress("  \(failed.name) back up: \(after.state.rawValue)")
    return report
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
