import Foundation
import Topology

/// What a client of a service is told: where to connect, with which properties, and which
/// topics to use there. Built from the topology and the service's stored state only, so
/// the same state always yields the same document (and the same ETag).
public struct DiscoveryDocument: Sendable, Equatable, Codable {
  public struct Active: Sendable, Equatable, Codable {
    public let cluster: String
    public let region: String
    public let bootstrapServers: String
    /// False after a demote: producers must hold their writes until the next epoch.
    public let writable: Bool
  }

  public struct Topics: Sendable, Equatable, Codable {
    /// Topics to produce to on the active cluster.
    public let produce: [String]
    /// Topics to consume from on the active cluster: the service's own topics and, when
    /// the active cluster receives replication, their remote copies (`east.orders`).
    public let consume: [String]
    /// The service's topic pattern, when it has one, for clients that subscribe by pattern.
    public let pattern: String?
  }

  public let service: String
  /// Active-active: the client region this document is for (its clients' home, or the
  /// peer they moved to); absent for an active-passive service.
  public let region: String?
  /// The fencing epoch: grows with every change; a client seeing a new one reconnects.
  public let epoch: Int64
  /// `stable` or `failing-over`.
  public let state: ServicePhase
  public let mode: String
  public let active: Active
  /// Client properties of the active cluster, without secrets or secret references.
  public let properties: [String: String]
  public let topics: Topics
  public let consumerGroups: [String]
  /// A client that could not refresh this document for this long stops producing until
  /// it can (docs/clients.md): what bounds writes to a fenced cluster by a cut-off client.
  public let leaseSeconds: Int
  public let updatedAt: Date

  public init(service: Service, state: ServiceState, topology: Topology) {
    let cluster = topology.cluster(state.activeCluster)
    self.service = service.baseName
    region = service.region
    epoch = state.epoch
    self.state = state.state
    mode = service.mode.rawValue
    active = Active(
      cluster: state.activeCluster, region: cluster?.region ?? "", bootstrapServers: cluster?.bootstrapServers ?? "",
      writable: state.writable)
    properties = cluster?.publicProperties ?? [:]
    var consume = service.topics
    for flow in topology.flows
    where flow.target == state.activeCluster && flow.source != state.activeCluster
      && service.clusters.contains(flow.source)
    {
      for topic in service.topics where !consume.contains(flow.remoteTopic(topic)) {
        consume.append(flow.remoteTopic(topic))
      }
    }
    topics = Topics(produce: service.topics, consume: consume, pattern: service.topicPattern)
    consumerGroups = service.consumerGroups
    leaseSeconds = service.leaseSeconds
    updatedAt = state.updatedAt
  }

  /// What the board and the shared state know it by: the service, or its region's lane.
  public var lane: LaneID { LaneID(service: service, region: region) }
}
