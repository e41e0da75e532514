import GRDB
import Topology

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
    m.registerMigration("v2-mm2-state") { db in
      try db.execute(
        sql: """
          CREATE TABLE mm2_checkpoint (
            flow TEXT NOT NULL,
            grp TEXT NOT NULL,
            topic TEXT NOT NULL,
            partition INTEGER NOT NULL,
            upstream_offset INTEGER NOT NULL,
            downstream_offset INTEGER NOT NULL,
            metadata TEXT NOT NULL,
            record_timestamp INTEGER NOT NULL,
            PRIMARY KEY (flow, grp, topic, partition)
          ) WITHOUT ROWID;
          CREATE TABLE mm2_offset_sync (
            flow TEXT NOT NULL,
            topic TEXT NOT NULL,
            partition INTEGER NOT NULL,
            upstream_offset INTEGER NOT NULL,
            downstream_offset INTEGER NOT NULL,
            record_timestamp INTEGER NOT NULL,
            PRIMARY KEY (flow, topic, partition, upstream_offset)
          ) WITHOUT ROWID;
          CREATE TABLE mm2_heartbeat (
            flow TEXT NOT NULL,
            source_alias TEXT NOT NULL,
            target_alias TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            PRIMARY KEY (flow, source_alias, target_alias)
          ) WITHOUT ROWID;
          CREATE TABLE mm2_ingest_position (
            flow TEXT NOT NULL,
            topic TEXT NOT NULL,
            partition INTEGER NOT NULL,
            next_offset INTEGER NOT NULL,
            PRIMARY KEY (flow, topic, partition)
          ) WITHOUT ROWID;
          CREATE TABLE mm2_poison (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            flow TEXT NOT NULL,
            topic TEXT NOT NULL,
            partition INTEGER NOT NULL,
            record_offset INTEGER NOT NULL,
            error TEXT NOT NULL,
            at DATETIME NOT NULL
          );
          """)
    }
    m.registerMigration("v3-probe-results") { db in
      try db.execute(
        sql: """
          CREATE TABLE probe_result (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            vantage TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('healthy', 'degraded', 'unreachable')),
            reasons TEXT NOT NULL,
            latency_ms REAL NOT NULL,
            at DATETIME NOT NULL
          );
          CREATE INDEX probe_result_key ON probe_result(subject, kind, vantage, id);
          CREATE INDEX probe_result_at ON probe_result(at);
          """)
    }
    m.registerMigration("v4-failovers-writable") { db in
      try db.execute(
        sql: """
          ALTER TABLE service_state ADD COLUMN writable INTEGER NOT NULL DEFAULT 1;
          CREATE TABLE failover (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            service TEXT NOT NULL,
            kind TEXT NOT NULL,
            mode TEXT NOT NULL,
            source_cluster TEXT NOT NULL,
            target_cluster TEXT NOT NULL,
            from_epoch INTEGER NOT NULL,
            to_epoch INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'aborted')),
            requested_by TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            plan TEXT NOT NULL DEFAULT '',
            error TEXT,
            created_at DATETIME NOT NULL,
            finished_at DATETIME
          );
          CREATE INDEX failover_service ON failover(service, id);
          CREATE UNIQUE INDEX failover_one_open ON failover(service) WHERE status IN ('pending', 'running');
          CREATE TABLE failover_step (
            failover_id INTEGER NOT NULL REFERENCES failover(id),
            seq INTEGER NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'skipped')),
            attempt INTEGER NOT NULL DEFAULT 0,
            started_at DATETIME,
            finished_at DATETIME,
            details TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (failover_id, seq)
          ) WITHOUT ROWID;
          """)
    }
    // What the orchestrator predicted an unplanned failover loses (the flow's lag at the
    // decision), kept with the failover so that a post-mortem can compare it with reality.
    m.registerMigration("v5-failover-expected-loss") { db in
      try db.execute(sql: "ALTER TABLE failover ADD COLUMN expected_loss INTEGER")
    }
    // The wait-leases step joins the plan after fence-source: the later steps of journals
    // written before it move one place on, and those journals record it as skipped, so
    // that every journal has every step at the number its name gives.
    m.registerMigration("v6-wait-leases-step") { db in
      try db.execute(
        sql: """
          UPDATE failover_step SET seq = seq + 1000 WHERE seq >= 3;
          UPDATE failover_step SET seq = seq - 999 WHERE seq >= 1000;
          INSERT INTO failover_step (failover_id, seq, name, status, attempt, details)
            SELECT id, 3, 'wait-leases', 'skipped', 0, 'journaled before this step existed' FROM failover;
          """)
    }
    // Active-active: the committed offsets of each region's groups on the remote copies
    // they read, recorded while their cluster is up. MM2's checkpoints do not cover the
    // copies (they hold no offset-syncs along the flow out), so a failover of the region
    // from a dead cluster starts from these.
    m.registerMigration("v7-group-offsets") { db in
      try db.execute(
        sql: """
          CREATE TABLE group_offset (
            cluster TEXT NOT NULL,
            grp TEXT NOT NULL,
            topic TEXT NOT NULL,
            partition INTEGER NOT NULL,
            committed INTEGER NOT NULL,
            at DATETIME NOT NULL,
            PRIMARY KEY (cluster, grp, topic, partition)
          ) WITHOUT ROWID;
          """)
    }
    // Checkpoints were read with their key's topic taken as the source's, which is the
    // target's name in what MM2 writes (MirrorCheckpointTask.renameTopicPartition). Rows
    // stored that way cannot be told apart from right ones, so they are dropped and each
    // flow's ingester reads its checkpoints topic again from the start (the topic is
    // compacted: it still holds the newest checkpoint of every group-partition).
    // The source's partitions with their log start and high watermark, as last measured,
    // for lag over every partition of a flow once the source is gone.
    m.registerMigration("v8-checkpoints-reread-source-partitions") { db in
      try db.execute(
        sql: """
          CREATE TABLE mm2_checkpoint_reread (flow TEXT PRIMARY KEY) WITHOUT ROWID;
          INSERT INTO mm2_checkpoint_reread SELECT DISTINCT flow FROM mm2_checkpoint;
          DELETE FROM mm2_checkpoint;
          CREATE TABLE mm2_source_partition (
            flow TEXT NOT NULL,
            topic TEXT NOT NULL,
            partition INTEGER NOT NULL,
            log_start INTEGER NOT NULL,
            high_watermark INTEGER NOT NULL,
            measured_at DATETIME NOT NULL,
            PRIMARY KEY (flow, topic, partition)
          ) WITHOUT ROWID;
          CREATE TABLE mm2_source_measured (flow TEXT PRIMARY KEY, measured_at DATETIME NOT NULL) WITHOUT ROWID;
          """)
    }
    // A planned switchover undone by itself ends `rolled-back`: the status check of the
    // failover table widens. SQLite cannot alter a CHECK, so the table is made again with
    // every row (foreign keys are checked after the migration, as GRDB defers them).
    m.registerMigration("v9-failover-rolled-back") { db in
      try db.execute(
        sql: """
          CREATE TABLE failover_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            service TEXT NOT NULL,
            kind TEXT NOT NULL,
            mode TEXT NOT NULL,
            source_cluster TEXT NOT NULL,
            target_cluster TEXT NOT NULL,
            from_epoch INTEGER NOT NULL,
            to_epoch INTEGER NOT NULL,
            status TEXT NOT NULL
              CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'aborted', 'rolled-back')),
            requested_by TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            plan TEXT NOT NULL DEFAULT '',
            error TEXT,
            created_at DATETIME NOT NULL,
            finished_at DATETIME,
            expected_loss INTEGER
          );
          INSERT INTO failover_new (id, service, kind, mode, source_cluster, target_cluster, from_epoch, to_epoch,
            status, requested_by, reason, plan, error, created_at, finished_at, expected_loss)
            SELECT id, service, kind, mode, source_cluster, target_cluster, from_epoch, to_epoch, status,
              requested_by, reason, plan, error, created_at, finished_at, expected_loss FROM failover;
          DROP TABLE failover;
          ALTER TABLE failover_new RENAME TO failover;
          CREATE INDEX failover_service ON failover(service, id);
          CREATE UNIQUE INDEX failover_one_open ON failover(service) WHERE status IN ('pending', 'running');
          """)
    }
    // What an unplanned failover knew of the records its source had not replicated, per
    // partition (docs/runbooks.md, "A region comes back").
    m.registerMigration("v10-failover-tail") { db in
      try db.execute(
        sql: """
          CREATE TABLE failover_tail (
            failover_id INTEGER NOT NULL,
            topic TEXT NOT NULL,
            partition INTEGER NOT NULL,
            source_high INTEGER,
            source_measured_at DATETIME,
            synced_upstream INTEGER,
            copy_end INTEGER,
            PRIMARY KEY (failover_id, topic, partition)
          ) WITHOUT ROWID;
          """)
    }
    // Recoveries of the tail an unplanned failover left behind, journaled per partition
    // before anything is copied (docs/runbooks.md, "Recover the tail").
    m.registerMigration("v11-recoveries") { db in
      try db.execute(
        sql: """
          CREATE TABLE recovery (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            service TEXT NOT NULL,
            failover_id INTEGER NOT NULL,
            source_cluster TEXT NOT NULL,
            target_cluster TEXT NOT NULL,
            destination TEXT NOT NULL CHECK (destination IN ('active', 'quarantine')),
            status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
            requested_by TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            error TEXT,
            created_at DATETIME NOT NULL,
            finished_at DATETIME
          );
          CREATE UNIQUE INDEX recovery_one_running ON recovery(service) WHERE status = 'running';
          CREATE TABLE recovery_partition (
            recovery_id INTEGER NOT NULL REFERENCES recovery(id),
            topic TEXT NOT NULL,
            partition INTEGER NOT NULL,
            dest_topic TEXT NOT NULL,
            dest_partition INTEGER NOT NULL,
            tail_start INTEGER NOT NULL,
            tail_end INTEGER NOT NULL,
            next_offset INTEGER NOT NULL,
            copied INTEGER NOT NULL DEFAULT 0,
            dest_mark INTEGER,
            dest_first INTEGER,
            dest_last INTEGER,
            PRIMARY KEY (recovery_id, topic, partition)
          ) WITHOUT ROWID;
          """)
    }
    // What a failback needs of a recovery (the copy's end when the tail was measured) and
    // what became of the flow that would otherwise copy the recovered tail a second time.
    m.registerMigration("v12-recovery-copy-end") { db in
      try db.execute(
        sql: """
          ALTER TABLE recovery_partition ADD COLUMN copy_end INTEGER;
          ALTER TABLE recovery ADD COLUMN replication TEXT;
          """)
    }
    // DR drills: one row each, the measurements as the report's JSON (docs/drills.md).
    m.registerMigration("v13-drills") { db in
      try db.execute(
        sql: """
          CREATE TABLE drill (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            service TEXT NOT NULL,
            from_cluster TEXT NOT NULL,
            to_cluster TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'aborted', 'refused')),
            trigger TEXT NOT NULL CHECK (trigger IN ('operator', 'schedule')),
            requested_by TEXT NOT NULL,
            reason TEXT NOT NULL DEFAULT '',
            back_after_ms INTEGER NOT NULL,
            refusal TEXT NOT NULL DEFAULT '[]',
            report TEXT NOT NULL DEFAULT '{}',
            created_at DATETIME NOT NULL,
            finished_at DATETIME
          );
          CREATE UNIQUE INDEX drill_one_running ON drill(status) WHERE status = 'running';
          CREATE INDEX drill_service ON drill(service, id);
          """)
    }
    return m
  }

  static var identifiers: [String] { migrator.migrations }
}
