import GRDB

/// The schema, as an append-only list of migrations. Never edit a shipped migration:
/// add a new one, so that every database can be brought forward step by step.
enum Migrations {
  static var migrator: DatabaseMigrator {
    var m = DatabaseMigrator()
    m.registerMigration("v1-topology-services-audit") { db in
      try db.execute(
        sql: """
          CREATE TABLE topology_snapshot (
            version INTEGER PRIMARY KEY AUTOINCREMENT,
            source TEXT NOT NULL,
            content TEXT NOT NULL,
            created_at DATETIME NOT NULL
          );
          CREATE TABLE service_state (
            service TEXT PRIMARY KEY NOT NULL,
            active_cluster TEXT NOT NULL,
            epoch INTEGER NOT NULL CHECK (epoch >= 1),
            state TEXT NOT NULL DEFAULT 'stable' CHECK (state IN ('stable', 'failing-over')),
            updated_at DATETIME NOT NULL
          );
          CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at DATETIME NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            details TEXT NOT NULL DEFAULT '',
            outcome TEXT NOT NULL
          );
          CREATE INDEX audit_log_at ON audit_log(at);
          """)
    }
    return m
  }

  static var identifiers: [String] { migrator.migrations }
}
