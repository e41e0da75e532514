import Foundation
import GRDB
import NIOPosix
import Topology

/// The orchestrator's durable state in one SQLite file (WAL, fsync on every commit).
///
/// Opening checks that the file is a database this build understands and migrates it
/// forward; a newer, locked or damaged file is refused with a clear error and left as it
/// was. Every method runs its SQLite work off Swift's cooperative pool.
public final class StateStore: Sendable {
  public let path: String
  let pool: DatabasePool

  /// The default database path: under the working directory, where operators expect it.
  public static let defaultPath = "failoverctl.db"

  public static func open(path: String, busyTimeout: Duration = .seconds(5)) async throws -> StateStore {
    try await NIOThreadPool.singleton.runIfActive { try StateStore(path: path, busyTimeout: busyTimeout) }
  }

  /// Opens synchronously; prefer `open` from async code.
  public init(path: String, busyTimeout: Duration = .seconds(5)) throws {
    self.path = path
    var config = Configuration()
    config.busyMode = .timeout(
      busyTimeout / .seconds(1))
    config.prepareDatabase { db in
      // FULL: a commit is on disk before it returns, so a decision survives a power cut.
      try db.execute(sql: "PRAGMA synchronous = FULL")
      try db.execute(sql: "PRAGMA foreign_keys = ON")
    }
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
      throw StoreError(.cannotOpen, path: path, "directory \(directory) does not exist")
    }
    do {
      pool = try DatabasePool(path: path, configuration: config)
      try pool.read { db in _ = try Int.fetchOne(db, sql: "PRAGMA schema_version") }
      let migrator = Migrations.migrator
      let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
      if superseded {
        let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
        let unknown = applied.subtracting(Migrations.identifiers).sorted()
        throw StoreError(
          .newerSchema, path: path,
          "written by a newer failoverctl (unknown migrations: \(unknown.joined(separator: ", "))); "
            + "upgrade failoverctl or use another --db; the file was not changed")
      }
      try migrator.migrate(pool)
    } catch let error as StoreError {
      throw error
    } catch let error as DatabaseError {
      throw Self.translate(error, path: path)
    }
  }

  static func translate(_ error: DatabaseError, path: String) -> StoreError {
    switch error.resultCode {
    case .SQLITE_NOTADB, .SQLITE_CORRUPT:
      StoreError(
        .corrupt, path: path,
        "not a SQLite database or damaged (\(error.message ?? "\(error.resultCode)")); it was left untouched: "
          + "restore it from a backup or move it aside")
    case .SQLITE_BUSY, .SQLITE_LOCKED:
      StoreError(.locked, path: path, "locked by another process (is another failoverctl using it?)")
    case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_FULL, .SQLITE_IOERR:
      StoreError(.cannotOpen, path: path, error.message ?? "\(error.resultCode)")
    default:
      StoreError(.cannotOpen, path: path, "\(error)")
    }
  }

  /// Runs a write transaction, translating SQLite errors into `StoreError`.
  func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    do { return try await pool.write(body) } catch let error as DatabaseError {
      throw Self.translate(error, path: path)
    }
  }

  func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    do { return try await pool.read(body) } catch let error as DatabaseError {
      throw Self.translate(error, path: path)
    }
  }

  /// Identifiers of the migrations applied to this database, oldest first.
  public func appliedMigrations() async throws -> [String] {
    let migrator = Migrations.migrator
    return try await read { db in try migrator.completedMigrations(db) }
  }
}

extension StateStore {
  /// Whether the database answers a trivial query: what `/healthz` checks.
  public func ping() async -> Bool {
    (try? await read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
  }
}
