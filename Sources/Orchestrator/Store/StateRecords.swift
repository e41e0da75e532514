import Foundation
import Topology

/// The serving state of one service: which cluster is active and the fencing epoch.
public struct ServiceState: Sendable, Equatable, Codable {
  public let service: String
  public let activeCluster: String
  /// Grows by one with every change of active cluster; never reused.
  public let epoch: Int64
  public let state: ServicePhase
  /// False after a demote: clients must not produce until a cluster is promoted.
  public let writable: Bool
  public let updatedAt: Date

  public init(
    service: String, activeCluster: String, epoch: Int64, state: ServicePhase, writable: Bool, updatedAt: Date
  ) {
    self.service = service
    self.activeCluster = activeCluster
    self.epoch = epoch
    self.state = state
    self.writable = writable
    self.updatedAt = updatedAt
  }
}

/// One stored version of the topology file.
public struct TopologySnapshot: Sendable, Equatable {
  public let version: Int64
  public let source: String
  public let content: String
  public let createdAt: Date
}

/// Who did what, when, why, and how it ended.
public struct AuditEntry: Sendable, Equatable, Codable {
  public let id: Int64?
  public let at: Date
  public let actor: String
  public let action: AuditAction
  public let subject: String
  /// Free-form details, usually the request as JSON.
  public let details: String
  public let outcome: AuditOutcome

  public init(
    id: Int64? = nil, at: Date = Date(), actor: String, action: AuditAction, subject: String, details: String = "",
    outcome: AuditOutcome
  ) {
    self.id = id
    self.at = at
    self.actor = actor
    self.action = action
    self.subject = subject
    self.details = details
    self.outcome = outcome
  }
}
