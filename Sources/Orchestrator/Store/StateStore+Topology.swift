import Foundation
import GRDB
import Topology

extension StateStore {
  /// Stores the topology text as a new version unless it equals the latest one.
  @discardableResult
  public func recordTopology(content: String, source: String) async throws -> TopologySnapshot {
    try await write { db in
      if let latest = try Self.latestSnapshot(db), latest.content == content { return latest }
      let now = Date()
      try db.execute(
        sql: "INSERT INTO topology_snapshot (source, content, created_at) VALUES (?, ?, ?)",
        arguments: [source, content, now])
      return TopologySnapshot(version: db.lastInsertedRowID, source: source, content: content, createdAt: now)
    }
  }

  public func latestTopology() async throws -> TopologySnapshot? {
    try await read { db in try Self.latestSnapshot(db) }
  }

  private static func latestSnapshot(_ db: Database) throws -> TopologySnapshot? {
    try Row.fetchOne(db, sql: "SELECT * FROM topology_snapshot ORDER BY version DESC LIMIT 1").map {
      TopologySnapshot(
        version: $0["version"], source: $0["source"], content: $0["content"], createdAt: $0["created_at"])
    }
  }
}
