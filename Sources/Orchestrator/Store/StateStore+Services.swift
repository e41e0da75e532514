import Foundation
import GRDB
import Topology

extension StateStore {
  /// Creates the state of every service not yet known (active on its primary, epoch 1).
  /// Existing services keep their state: a restart or a topology reload never moves a
  /// service back to its primary.
  @discardableResult
  public func ensureServices(_ topology: Topology) async throws -> [ServiceState] {
    let services = topology.lanes.map { ($0.name, $0.primary) }
    return try await write { db in
      let now = Date()
      for (name, primary) in services {
        try db.execute(
          sql: """
            INSERT INTO service_state (service, active_cluster, epoch, state, updated_at)
            VALUES (?, ?, 1, ?, ?) ON CONFLICT(service) DO NOTHING
            """, arguments: [name, primary, ServicePhase.stable, now])
      }
      return try Self.fetchStates(db)
    }
  }

  public func serviceStates() async throws -> [ServiceState] {
    try await read { db in try Self.fetchStates(db) }
  }

  public func serviceState(_ service: String) async throws -> ServiceState? {
    try await read { db in try Self.fetchStates(db, only: service).first }
  }

  /// Applies `change` to `service` if its epoch is still `expectedEpoch`, bumping the epoch,
  /// in one transaction with the failover record and the audit entry: all are durable or
  /// none is.
  public func changeService(
    _ service: String, expectedEpoch: Int64, to change: ServiceChange, record: NewFailover?, audit: AuditEntry
  ) async throws -> (ServiceState, FailoverRecord?) {
    let path = self.path
    return try await write { db in
      guard let current = try Self.fetchStates(db, only: service).first else {
        throw StoreError(.notFound, path: path, "no state for service \(service)")
      }
      guard current.epoch == expectedEpoch else {
        throw StoreError(
          .conflict, path: path, "service \(service) is at epoch \(current.epoch), not \(expectedEpoch)")
      }
      try db.execute(
        sql: """
          UPDATE service_state SET active_cluster = ?, epoch = epoch + 1, state = ?, writable = ?, updated_at = ?
          WHERE service = ?
          """,
        arguments: [change.activeCluster, change.state, change.writable, Date(), service])
      let failover = try record.map { try Self.insertFailover(db, $0, fromEpoch: current.epoch) }
      try Self.insertAudit(db, audit)
      return (try Self.fetchStates(db, only: service)[0], failover)
    }
  }

  /// Makes `cluster` active (stable, writable) if the epoch is still `expectedEpoch`.
  public func switchActive(
    service: String, to cluster: String, expectedEpoch: Int64, audit: AuditEntry
  ) async throws -> ServiceState {
    try await changeService(
      service, expectedEpoch: expectedEpoch, to: ServiceChange(activeCluster: cluster), record: nil, audit: audit
    ).0
  }

  static func fetchStates(_ db: Database, only service: String? = nil) throws -> [ServiceState] {
    let rows =
      if let service {
        try Row.fetchAll(db, sql: "SELECT * FROM service_state WHERE service = ?", arguments: [service])
      } else {
        try Row.fetchAll(db, sql: "SELECT * FROM service_state ORDER BY service")
      }
    return rows.map {
      ServiceState(
        service: $0["service"], activeCluster: $0["active_cluster"], epoch: $0["epoch"], state: $0["state"],
        writable: $0["writable"], updatedAt: $0["updated_at"])
    }
  }
}

/// The state a service moves to.
public struct ServiceChange: Sendable {
  public var activeCluster: String
  public var state: ServicePhase
  public var writable: Bool

  public init(activeCluster: String, state: ServicePhase = .stable, writable: Bool = true) {
    self.activeCluster = activeCluster
    self.state = state
    self.writable = writable
  }
}
