import Foundation
import HealthProbes
import Topology

/// The deployment at a glance: services with their active cluster and epoch, clusters
/// with their health, flows with their health and lag. One schema for `GET /v1/status`,
/// `failoverctl status --server` and the offline `failoverctl status --config`, built by
/// `StatusView.build` only.
public struct StatusView: Sendable, Codable, Equatable {
  public struct ServiceEntry: Sendable, Codable, Equatable {
    /// The service, or an active-active region's lane (`orders@east`).
    public let service: String
    /// The configured service (`orders` for the lane `orders@east`): what actions name.
    public let configuredService: String
    /// Active-active: the client region the lane is for.
    public let clientRegion: String?
    public let activeCluster: String
    public let region: String
    public let epoch: Int64
    public let state: ServicePhase
    public let writable: Bool
    public let updatedAt: Date
  }

  public struct ClusterEntry: Sendable, Codable, Equatable {
    public let cluster: String
    public let region: String
    public let state: JudgedHealth
    public let reasons: [String]
    public let since: Date?
    /// Every vantage point's verdict, and which of them count toward `unreachable`.
    public let votes: [Vote]
  }

  /// One vantage point's verdict on a cluster.
  public struct Vote: Sendable, Codable, Equatable {
    public let vantage: String
    public let region: String?
    public let state: HealthState
    /// Whether it counts toward the cluster's death (by default, not from inside its region).
    public let counted: Bool
  }

  public struct FlowEntry: Sendable, Codable, Equatable {
    public let flow: String
    public let source: String
    public let target: String
    public let state: JudgedHealth
    public let reasons: [String]
    public let since: Date?
    public let recordsBehind: Int64?
    public let checkpointAgeSeconds: Double?
    public let heartbeatAgeSeconds: Double?
  }

  /// A background service of a running control service (empty offline: nothing runs).
  public struct BackgroundEntry: Sendable, Codable, Equatable {
    public let service: String
    public let state: BackgroundState
    /// Times it failed and was started again since the control service started.
    public let restarts: Int
    public let lastError: String?
    /// When it entered its state.
    public let since: Date

    public init(service: String, state: BackgroundState, restarts: Int, lastError: String?, since: Date) {
      self.service = service
      self.state = state
      self.restarts = restarts
      self.lastError = lastError
      self.since = since
    }
  }

  public let services: [ServiceEntry]
  public let clusters: [ClusterEntry]
  public let flows: [FlowEntry]
  public var background: [BackgroundEntry] = []
  /// The standby-writes probe's findings (empty offline: nothing runs).
  public var standbyWrites: [StandbyWrites] = []
  /// What old primaries hold that never reached the clusters their services moved to
  /// (the server's divergence watch; empty from `status --config`).
  public var divergence: [Divergence] = []
  /// The conflict reports of active-active services that ask for one (empty offline).
  public var conflicts: [ConflictReport] = []
  /// The flows' replication canaries (empty offline, or without `canary:`).
  public var canaries: [CanaryState] = []

  /// - Parameters:
  ///   - health: the judged health of a cluster or flow by name; nil when no probe
  ///     result covers it yet.
  ///   - lags: every flow's lag, in the topology's order.
  public static func build(
    topology: Topology, states: [ServiceState], health: (String) -> SubjectHealth?, lags: [(Flow, FlowLag)]
  ) -> StatusView {
    let services = states.map { s in
      let lane = LaneID(parsing: s.service)
      return ServiceEntry(
        service: s.service, configuredService: lane.service, clientRegion: lane.region, activeCluster: s.activeCluster,
        region: topology.cluster(s.activeCluster)?.region ?? "",
        epoch: s.epoch, state: s.state, writable: s.writable, updatedAt: s.updatedAt)
    }
    let clusters = topology.clusters.map { c in
      let h = health(c.name)
      return ClusterEntry(
        cluster: c.name, region: c.region, state: JudgedHealth(h?.state),
        reasons: h?.reasons ?? ["no probe result yet"], since: h?.since,
        votes: (h?.votes ?? []).map {
          Vote(
            vantage: $0.vantage, region: $0.region, state: $0.state,
            counted: $0.countsAsUnreachable(subjectRegion: c.region, sameRegion: .ignore))
        })
    }
    let flows = lags.map { f, lag in
      let h = health(f.name)
      return FlowEntry(
        flow: f.name, source: f.source, target: f.target, state: JudgedHealth(h?.state),
        reasons: h?.reasons ?? [noResultReason(f, topology)], since: h?.since, recordsBehind: lag.recordsBehind,
        checkpointAgeSeconds: lag.checkpointAgeSeconds, heartbeatAgeSeconds: lag.heartbeatAgeSeconds)
    }
    return StatusView(services: services, clusters: clusters, flows: flows, background: [])
  }

  /// Why a flow has no judged health: no probe covers it, or none has reported yet.
  static func noResultReason(_ f: Flow, _ topology: Topology) -> String {
    let p = topology.probes
    let covered =
      topology.connectURL(of: f) != nil || p.replicationLag != nil || p.http.contains { $0.subject == f.name }
      || p.prometheus.contains { $0.subject == f.name }
    return covered
      ? "no probe result yet" : "no probe covers this flow: give it a connectUrl or set probes.replicationLag"
  }
}

/// Whether a supervised background service runs, or failed and waits to be started again.
public enum BackgroundState: String, Sendable, Codable, Equatable {
  case running
  case down
}
