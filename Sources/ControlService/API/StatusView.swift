import Foundation
import HealthProbes
import Orchestrator

/// `GET /v1/status`: services with their active cluster and epoch, clusters with their
/// health, flows with their health and lag.
public struct StatusView: Sendable, Codable, Equatable {
  public struct ServiceEntry: Sendable, Codable, Equatable {
    public let service: String
    public let activeCluster: String
    public let region: String
    public let epoch: Int64
    public let state: String
    public let writable: Bool
    public let updatedAt: Date
  }

  public struct ClusterEntry: Sendable, Codable, Equatable {
    public let cluster: String
    public let region: String
    /// `healthy`, `degraded`, `unreachable`, or `unknown` before any probe reported.
    public let state: String
    public let reasons: [String]
    public let since: Date?
  }

  public struct FlowEntry: Sendable, Codable, Equatable {
    public let flow: String
    public let source: String
    public let target: String
    public let state: String
    public let reasons: [String]
    public let recordsBehind: Int64?
    public let checkpointAgeSeconds: Double?
    public let heartbeatAgeSeconds: Double?
  }

  public let services: [ServiceEntry]
  public let clusters: [ClusterEntry]
  public let flows: [FlowEntry]
}
