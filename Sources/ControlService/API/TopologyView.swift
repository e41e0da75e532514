import Orchestrator
import Topology

/// `GET /v1/topology`: the topology as JSON, with client properties that are secrets or
/// secret references left out and tokens shown by name and role only.
struct TopologyView: Encodable {
  struct RegionView: Encodable {
    let name: String
    let description: String?
  }
  struct ClusterView: Encodable {
    let name: String
    let region: String
    let bootstrapServers: String
    let properties: [String: String]
    let connectUrl: String?
    let metricsUrl: String?
    let expectedBrokers: Int?
  }
  struct FlowView: Encodable {
    let name: String
    let source: String
    let target: String
    let replicationPolicy: String
    let sourceAlias: String
    let targetAlias: String
    let checkpointsTopic: String
    let offsetSyncsTopic: String
  }
  struct ServiceView: Encodable {
    let name: String
    let mode: String
    let primary: String
    let standbys: [String]
    let topics: [String]
    let topicPattern: String?
    let consumerGroups: [String]
    let groupPattern: String?
    let policy: String?
    /// Active-active: each client region's home, peers and groups.
    let homes: [HomeView]?
  }
  struct HomeView: Encodable {
    let region: String
    let cluster: String
    let peers: [String]
    let consumerGroups: [String]
  }
  struct TokenView: Encodable {
    let name: String
    let role: String
  }

  let regions: [RegionView]
  let clusters: [ClusterView]
  let flows: [FlowView]
  let services: [ServiceView]
  let tokens: [TokenView]

  init(_ t: Topology) {
    regions = t.regions.map { RegionView(name: $0.name, description: $0.description) }
    clusters = t.clusters.map {
      ClusterView(
        name: $0.name, region: $0.region, bootstrapServers: $0.bootstrapServers, properties: $0.publicProperties,
        connectUrl: $0.connectURL, metricsUrl: $0.metricsURL, expectedBrokers: $0.expectedBrokers)
    }
    flows = t.flows.map {
      FlowView(
        name: $0.name, source: $0.source, target: $0.target, replicationPolicy: $0.replicationPolicy.rawValue,
        sourceAlias: $0.sourceAlias, targetAlias: $0.targetAlias, checkpointsTopic: $0.checkpointsTopic,
        offsetSyncsTopic: $0.offsetSyncsTopic)
    }
    services = t.services.map {
      ServiceView(
        name: $0.name, mode: $0.mode.rawValue, primary: $0.primary, standbys: $0.standbys, topics: $0.topics,
        topicPattern: $0.topicPattern, consumerGroups: $0.consumerGroups, groupPattern: $0.groupPattern,
        policy: $0.policy,
        homes: $0.mode == .activeActive
          ? $0.homes.map {
            HomeView(region: $0.region, cluster: $0.cluster, peers: $0.peers, consumerGroups: $0.consumerGroups)
          } : nil)
    }
    tokens = t.api.tokens.map { TokenView(name: $0.name, role: $0.role.rawValue) }
  }
}
