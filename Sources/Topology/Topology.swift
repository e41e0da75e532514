/// The deployment the orchestrator manages: failure domains, the Kafka clusters in them,
/// the replication flows between clusters, and the services clients ask about.
public struct Topology: Sendable, Equatable {
  public var regions: [Region]
  public var clusters: [Cluster]
  public var flows: [Flow]
  public var services: [Service]
  public var probes: ProbeSettings
  public var api: APISettings
  /// Several orchestrators through etcd; nil: standalone.
  public var controlPlane: ControlPlaneSettings?

  public init(
    regions: [Region], clusters: [Cluster], flows: [Flow], services: [Service], probes: ProbeSettings = ProbeSettings(),
    api: APISettings = APISettings(), controlPlane: ControlPlaneSettings? = nil
  ) {
    self.controlPlane = controlPlane
    self.regions = regions
    self.clusters = clusters
    self.flows = flows
    self.services = services
    self.probes = probes
    self.api = api
  }

  public func cluster(_ name: String) -> Cluster? { clusters.first { $0.name == name } }
  public func flow(from source: String, to target: String) -> Flow? {
    flows.first { $0.source == source && $0.target == target }
  }
  public func clusters(in region: String) -> [Cluster] { clusters.filter { $0.region == region } }
  /// The Connect REST API that runs a flow's connectors: the flow's own, else its target cluster's.
  public func connectURL(of flow: Flow) -> String? { flow.connectURL ?? cluster(flow.target)?.connectURL }
}

public struct Region: Sendable, Equatable {
  public var name: String
  public var description: String?
  public var location: SourceLocation?

  public init(name: String, description: String? = nil, location: SourceLocation? = nil) {
    self.name = name
    self.description = description
    self.location = location
  }
}

public struct Cluster: Sendable, Equatable {
  public var name: String
  public var region: String
  public var bootstrapServers: String
  /// Kafka client properties as written: secret references stay unresolved here.
  public var properties: [String: String]
  public var connectURL: String?
  public var metricsURL: String?
  /// Brokers the cluster should have; fewer answering makes it degraded.
  public var expectedBrokers: Int?
  public var location: SourceLocation?

  public init(
    name: String, region: String, bootstrapServers: String, properties: [String: String] = [:],
    connectURL: String? = nil, metricsURL: String? = nil, expectedBrokers: Int? = nil, location: SourceLocation? = nil
  ) {
    self.expectedBrokers = expectedBrokers
    self.name = name
    self.region = region
    self.bootstrapServers = bootstrapServers
    self.properties = properties
    self.connectURL = connectURL
    self.metricsURL = metricsURL
    self.location = location
  }

  /// Properties a client may be shown: everything that is neither a secret reference nor
  /// a credential by name.
  public var publicProperties: [String: String] {
    properties.filter { !SecretReference.isSensitive(key: $0.key, value: $0.value) }
  }
}

/// How a flow names topics on its target, as MM2's ReplicationPolicy does.
public enum ReplicationPolicy: String, Sendable, Equatable, CaseIterable {
  /// `DefaultReplicationPolicy`: `orders` on `east` becomes `east.orders`.
  case `default`
  /// `IdentityReplicationPolicy`: names kept; offsets still differ.
  case identity
  /// A link that keeps names and offsets (e.g. Cluster Linking): no translation needed.
  case offsetPreserving = "offset-preserving"
}

public enum OffsetSyncsLocation: String, Sendable, Equatable, CaseIterable {
  case source, target
}

public struct MM2Connectors: Sendable, Equatable {
  public var source: String
  public var checkpoint: String
  public var heartbeat: String

  public init(
    source: String = "MirrorSourceConnector", checkpoint: String = "MirrorCheckpointConnector",
    heartbeat: String = "MirrorHeartbeatConnector"
  ) {
    self.source = source
    self.checkpoint = checkpoint
    self.heartbeat = heartbeat
  }

  /// Every connector of the flow, in the order they are paused and resumed.
  public var all: [String] { [source, checkpoint, heartbeat] }
}

/// Overrides of MM2's internal topic names, for deployments that renamed them.
public struct InternalTopicOverrides: Sendable, Equatable {
  public var checkpoints: String?
  public var offsetSyncs: String?
  public var heartbeats: String?
  public init(checkpoints: String? = nil, offsetSyncs: String? = nil, heartbeats: String? = nil) {
    self.checkpoints = checkpoints
    self.offsetSyncs = offsetSyncs
    self.heartbeats = heartbeats
  }
}

/// Replication from one cluster to another.
public struct Flow: Sendable, Equatable {
  public var source: String
  public var target: String
  public var replicationPolicy: ReplicationPolicy
  public var separator: String
  /// MM2's alias of the source cluster: the prefix of remote topics.
  public var sourceAlias: String
  public var targetAlias: String
  public var connectors: MM2Connectors
  public var connectURL: String?
  /// MM2's `topics` and `groups` filters (regular expressions).
  public var topicsPattern: String
  public var groupsPattern: String
  public var offsetSyncsLocation: OffsetSyncsLocation
  public var internalTopics: InternalTopicOverrides
  /// Opt-in: a canary measures this flow's replication end to end.
  public var canary: FlowCanary?
  public var location: SourceLocation?

  public init(
    source: String, target: String, replicationPolicy: ReplicationPolicy = .default, separator: String = ".",
    sourceAlias: String? = nil, targetAlias: String? = nil, connectors: MM2Connectors = MM2Connectors(),
    connectURL: String? = nil, topicsPattern: String = ".*", groupsPattern: String = ".*",
    offsetSyncsLocation: OffsetSyncsLocation = .source, internalTopics: InternalTopicOverrides = .init(),
    canary: FlowCanary? = nil, location: SourceLocation? = nil
  ) {
    self.canary = canary
    self.source = source
    self.target = target
    self.replicationPolicy = replicationPolicy
    self.separator = separator
    self.sourceAlias = sourceAlias ?? source
    self.targetAlias = targetAlias ?? target
    self.connectors = connectors
    self.connectURL = connectURL
    self.topicsPattern = topicsPattern
    self.groupsPattern = groupsPattern
    self.offsetSyncsLocation = offsetSyncsLocation
    self.internalTopics = internalTopics
    self.location = location
  }

  public var name: String { "\(source)->\(target)" }
}

public enum ServiceMode: String, Sendable, Equatable, CaseIterable {
  case activePassive = "active-passive"
  case activeActive = "active-active"
}

/// What clients ask discovery about: a set of topics and consumer groups that move
/// between clusters together.
public struct Service: Sendable, Equatable {
  /// The service, or a region's lane of it (`Topology.lanes`).
  public var id: LaneID
  /// `id` as written on the wire (`orders`, `orders@east`). Setting it names a configured
  /// service.
  public var name: String {
    get { id.description }
    set { id = LaneID(service: newValue) }
  }
  public var mode: ServiceMode
  public var primary: String
  public var standbys: [String]
  public var topics: [String]
  public var topicPattern: String?
  public var consumerGroups: [String]
  public var groupPattern: String?
  /// Name of a policy in `policies/` (without `.yaml`).
  public var policy: String?
  /// How long a client may keep producing on a discovery document it could not refresh.
  public var leaseSeconds: Int
  /// Active-active: where each client region's clients go (one entry per client region).
  /// On a region's lane (`Topology.lanes`), only that region's.
  public var homes: [RegionHome]
  /// Active-active: keys written in several regions, reported (nil: not watched).
  public var conflictReport: ConflictReportSettings?
  public var location: SourceLocation?

  /// What clients get when the topology names no lease: long enough to ride out a slow
  /// poll or a reconnect, short enough that a failover waiting it out stays quick.
  public static let defaultLeaseSeconds = 15

  public init(
    name: String, mode: ServiceMode = .activePassive, primary: String, standbys: [String], topics: [String],
    topicPattern: String? = nil, consumerGroups: [String] = [], groupPattern: String? = nil, policy: String? = nil,
    leaseSeconds: Int = Service.defaultLeaseSeconds, homes: [RegionHome] = [],
    conflictReport: ConflictReportSettings? = nil, location: SourceLocation? = nil
  ) {
    self.homes = homes
    self.conflictReport = conflictReport
    self.id = LaneID(service: name)
    self.mode = mode
    self.primary = primary
    self.standbys = standbys
    self.topics = topics
    self.topicPattern = topicPattern
    self.consumerGroups = consumerGroups
    self.groupPattern = groupPattern
    self.policy = policy
    self.leaseSeconds = leaseSeconds
    self.location = location
  }

  public var clusters: [String] { [primary] + standbys }
}
