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

  public init(
    regions names: [String], brokersPerRegion: Int = 3, services: [LabService] = Lab.defaultServices,
    activeActive: Bool = false
  ) throws {
    precondition(names.count >= 2, "a lab needs at least two regions")
    regions = try names.map { try SimulatedRegion(name: $0, brokers: brokersPerRegion) }
    self.services = services
    self.activeActive = activeActive
    // The services' topics exist in every region, as MM2 deployments usually pre-create
    // them, with the default policy's remote copies wherever a flow replicates: flows
    // run between the first region and each other one.
    let primary = regions[0]
    for region in regions {
      for service in services {
        for topic in service.topics {
          try region.cluster.createTopic(topic, partitions: service.partitions)
          let sources =
            activeActive
            ? regions.filter { $0 !== region } : region === primary ? Array(regions.dropFirst()) : [primary]
          for source in sources {
            try region.cluster.createTopic("\(source.name).\(topic)", partitions: service.partitions)
          }
        }
      }
    }
    // MM2 creates its internal topics when it starts; so does the lab, so that an
    // ingester finds them at once instead of waiting for a first record to create them.
    for flow in topology.flows {
      try self.region(flow.offsetSyncsCluster)?.cluster.createTopic(flow.offsetSyncsTopic, partitions: 1)
      try self.region(flow.target)?.cluster.createTopic(flow.checkpointsTopic, partitions: 1)
      try self.region(flow.target)?.cluster.createTopic(flow.remoteHeartbeatsTopic, partitions: 1)
    }
  }

  public func region(_ name: String) -> SimulatedRegion? { regions.first { $0.name == name } }

  public var topology: Topology { topology(connectBase: nil) }

  /// The topology; with `connectBase` (a lab control server's URL) every flow names the
  /// server's Connect-style API for its mirror.
  public func topology(connectBase: String?, controlPlane: ControlPlaneSettings? = nil) -> Topology {
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
    return Topology(
      regions: regions.map { Region(name: $0.name, description: "simulated region (librdkafka mock cluster)") },
      clusters: regions.map {
        Cluster(name: $0.name, region: $0.name, bootstrapServers: $0.bootstrapServers, expectedBrokers: $0.brokerCount)
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

  public func topologyYAML(connectBase: String?, controlPlane: ControlPlaneSettings? = nil) -> String {
    TopologyWriter.yaml(
      topology(connectBase: connectBase, controlPlane: controlPlane),
      header: "Generated by `failoverctl lab up` for simulated regions on this machine.\n"
        + "The bootstrap servers are loopback ports that live only as long as the lab.")
  }
}
