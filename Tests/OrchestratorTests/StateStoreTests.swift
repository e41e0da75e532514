import Foundation
import GRDB
import KafkaClient
import MM2
import Orchestrator
import Testing
import Topology

@Suite("SQLite state store")
struct StateStoreTests {
  let dir: URL

  init() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  }

  var path: String { dir.appendingPathComponent("state.db").path }

  /// The file opened beside the store, as a tool would, waiting out a lock (a store just
  /// released may still be closing its connections).
  func raw() throws -> DatabaseQueue {
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    return try DatabaseQueue(path: path, configuration: configuration)
  }

  static let topology = Topology(
    regions: [Region(name: "east"), Region(name: "west")],
    clusters: [
      Cluster(name: "a", region: "east", bootstrapServers: "a:1"),
      Cluster(name: "b", region: "west", bootstrapServers: "b:1"),
    ],
    flows: [Flow(source: "a", target: "b")],
    services: [Service(name: "orders", primary: "a", standbys: ["b"], topics: ["orders"])])

  @Test func migratesAndReopensKeepingState() async throws {
    do {
      let store = try await StateStore.open(path: path)
      #expect(
        try await store.appliedMigrations() == [
          "v1-topology-services-audit", "v2-mm2-state", "v3-probe-results", "v4-failovers-writable",
          "v5-failover-expected-loss", "v6-wait-leases-step", "v7-group-offsets",
          "v8-checkpoints-reread-source-partitions", "v9-failover-rolled-back", "v10-failover-tail", "v11-recoveries",
          "v12-recovery-copy-end", "v13-drills",
        ])
      let states = try await store.ensureServices(Self.topology)
      #expect(states.map(\.activeCluster) == ["a"])
      #expect(states.map(\.epoch) == [1])
      _ = try await store.switchActive(
        service: "orders", to: "b", expectedEpoch: 1,
        audit: AuditEntry(actor: "test", action: .requested(.promote), subject: "orders", outcome: .ok))
      try await store.recordTopology(content: "v1", source: "t.yaml")
    }
    let reopened = try await StateStore.open(path: path)
    // Reloading the topology must not move the service back to its primary.
    let states = try await reopened.ensureServices(Self.topology)
    #expect(states.first?.activeCluster == "b")
    #expect(states.first?.epoch == 2)
    #expect(try await reopened.auditLog().map(\.action) == [.requested(.promote)])
    #expect(try await reopened.latestTopology()?.content == "v1")
    #expect(
      try await reopened.appliedMigrations() == [
        "v1-topology-services-audit", "v2-mm2-state", "v3-probe-results", "v4-failovers-writable",
        "v5-failover-expected-loss", "v6-wait-leases-step", "v7-group-offsets",
        "v8-checkpoints-reread-source-partitions", "v9-failover-rolled-back", "v10-failover-tail", "v11-recoveries",
        "v12-recovery-copy-end", "v13-drills",
      ])
    let mode = try await raw().read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
    #expect(mode == "wal")
  }

  /// A journal of the nine steps before `wait-leases` existed: after the migration each
  /// step sits at the number its name gives, and the new step is there, skipped.
  @Test func aJournalFromBeforeTheLeaseWaitIsRenumbered() async throws {
    _ = try await StateStore.open(path: path)
    let old = [
      "intent", "fence-source", "drain", "refresh-checkpoints", "translate-offsets", "write-offsets",
      "switch-discovery", "reconfigure-replication", "verify",
    ]
    try await raw().write { db in
      try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v6-wait-leases-step'")
      try db.execute(
        sql: """
          INSERT INTO failover (id, service, kind, mode, source_cluster, target_cluster, from_epoch, to_epoch, status,
            requested_by, created_at) VALUES (1, 'orders', 'promote', 'planned', 'a', 'b', 1, 3, 'running', 't', ?)
          """, arguments: [Date()])
      for (i, name) in old.enumerated() {
        try db.execute(
          sql: "INSERT INTO failover_step (failover_id, seq, name, status) VALUES (1, ?, ?, ?)",
          arguments: [i + 1, name, i < 3 ? "done" : "pending"])
      }
    }
    let store = try await StateStore.open(path: path)
    let record = try #require(try await store.failover(id: 1))
    #expect(record.steps.map(\.name) == FailoverStepName.allCases)
    #expect(record.step(.waitForLeases)?.status == .skipped)
    #expect(record.step(.drain)?.status == .done && record.step(.refreshCheckpoints)?.status == .pending)
    let rows = try await raw().read {
      try Row.fetchAll($0, sql: "SELECT seq, name FROM failover_step ORDER BY seq").map {
        "\($0["seq"] as Int) \($0["name"] as String)"
      }
    }
    #expect(rows == FailoverStepName.allCases.map { "\($0.seq) \($0.rawValue)" })
  }

  /// Checkpoints stored before v8 took the key's topic as the source's; they are dropped and
  /// the flow's checkpoints topic is marked to be read again from its start, once, while the
  /// other positions (offset-syncs, heartbeats) stay where they were.
  @Test func checkpointsStoredWithTheOldReadingAreReadAgain() async throws {
    _ = try await StateStore.open(path: path)
    try await raw().write { db in
      try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v8-checkpoints-reread-source-partitions'")
      try db.execute(
        sql: "DROP TABLE mm2_checkpoint_reread; DROP TABLE mm2_source_partition; DROP TABLE mm2_source_measured")
      try db.execute(
        sql: """
          INSERT INTO mm2_checkpoint (flow, grp, topic, partition, upstream_offset, downstream_offset, metadata,
            record_timestamp) VALUES ('a->b', 'g', 'orders', 0, 10, 9, '', 0);
          INSERT INTO mm2_ingest_position (flow, topic, partition, next_offset) VALUES
            ('a->b', 'a.checkpoints.internal', 0, 41), ('a->b', 'mm2-offset-syncs.b.internal', 0, 7);
          """)
    }
    let store = try await StateStore.open(path: path)
    #expect(try await store.checkpoints(flow: "a->b").isEmpty)
    try await store.rereadCheckpointsIfMarked(flow: "a->b", checkpointsTopic: "a.checkpoints.internal")
    let positions = try await store.ingestPositions(flow: "a->b")
    #expect(positions == [TopicPartition("mm2-offset-syncs.b.internal", 0): 7])
    // Once only: positions reached after the re-read are kept.
    var batch = MM2Batch()
    batch.positions = [TopicPartition("a.checkpoints.internal", 0): 41]
    try await store.apply(batch, flow: "a->b")
    try await store.rereadCheckpointsIfMarked(flow: "a->b", checkpointsTopic: "a.checkpoints.internal")
    #expect(try await store.ingestPositions(flow: "a->b")[TopicPartition("a.checkpoints.internal", 0)] == 41)
  }

  /// A batch holding several checkpoints of one key (MM2 checkpoints each interval)
  /// keeps the last of each, as writing them one after another did, whatever order the
  /// keys came in.
  @Test func aBatchKeepsTheLastCheckpointOfEachKey() async throws {
    let store = try await StateStore.open(path: path)
    var batch = MM2Batch()
    func add(_ group: String, _ partition: Int32, _ upstream: Int64) {
      batch.checkpoints.append(
        .init(
          checkpoint: Checkpoint(
            group: group, topic: "a.orders", partition: partition, upstreamOffset: upstream,
            downstreamOffset: upstream - 1),
          timestamp: upstream))
    }
    add("g2", 1, 10)
    add("g1", 0, 20)
    add("g2", 1, 30)
    add("g1", 1, 40)
    add("g1", 0, 15)  // older offset, later record: the later record stands
    add("g2", 1, 50)
    try await store.apply(batch, flow: "a->b")
    let stored = try await store.checkpoints(flow: "a->b")
      .map { "\($0.checkpoint.group)/\($0.checkpoint.partition)=\($0.checkpoint.upstreamOffset)@\($0.recordTimestamp)" }
    #expect(stored.sorted() == ["g1/0=15@15", "g1/1=40@40", "g2/1=50@50"])
  }

  /// The etcd store keeps journals as JSON: one written before the new step numbered
  /// `drain` 3; read back, it is where its name puts it.
  @Test func aStepReadFromJSONTakesItsNumberFromItsName() throws {
    let json = #"{"seq":3,"name":"drain","status":"done","attempt":1,"details":"caught up"}"#
    let step = try JSONCoding.decoder().decode(FailoverStep.self, from: Data(json.utf8))
    #expect(step.seq == FailoverStepName.drain.seq && step.seq == 4)
    #expect(step.details == "caught up" && step.startedAt == nil)
  }

  @Test func topologySnapshotsAreVersionedAndDeduplicated() async throws {
    let store = try await StateStore.open(path: path)
    let first = try await store.recordTopology(content: "a", source: "t.yaml")
    let same = try await store.recordTopology(content: "a", source: "t.yaml")
    let second = try await store.recordTopology(content: "b", source: "t.yaml")
    #expect(first.version == same.version)
    #expect(second.version == first.version + 1)
  }

  @Test func staleEpochLosesTheCompareAndSet() async throws {
    let store = try await StateStore.open(path: path)
    try await store.ensureServices(Self.topology)
    let audit = AuditEntry(actor: "t", action: .requested(.promote), subject: "orders", outcome: .ok)
    _ = try await store.switchActive(service: "orders", to: "b", expectedEpoch: 1, audit: audit)
    await #expect(throws: StoreError.self) {
      _ = try await store.switchActive(service: "orders", to: "a", expectedEpoch: 1, audit: audit)
    }
    // The losing attempt wrote nothing, not even its audit entry.
    #expect(try await store.auditLog().count == 1)
    #expect(try await store.serviceState("orders")?.activeCluster == "b")
  }

  @Test func newerSchemaIsRefusedAndLeftAlone() async throws {
    _ = try await StateStore.open(path: path)
    try await raw().write { db in
      try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
    }
    do {
      _ = try await StateStore.open(path: path)
      Issue.record("a database from a newer schema was opened")
    } catch let error as StoreError {
      #expect(error.kind == .newerSchema)
      #expect(error.description.contains("v99-from-the-future"))
    }
    let ids = try await raw().read {
      try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations")
    }
    #expect(ids.contains("v99-from-the-future"))
  }

  @Test func corruptFileIsRefusedAndLeftUntouched() async throws {
    let garbage = Data(String(repeating: "this is not a database\n", count: 300).utf8)
    try garbage.write(to: URL(fileURLWithPath: path))
    do {
      _ = try await StateStore.open(path: path)
      Issue.record("a corrupt file was opened")
    } catch let error as StoreError {
      #expect(error.kind == .corrupt)
      #expect(error.description.contains(path))
    }
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == garbage)
  }

  @Test func lockedDatabaseIsAClearError() async throws {
    var config = Configuration()
    // The holder plays another process that keeps a write transaction open.
    config.allowsUnsafeTransactions = true
    let holder = try DatabaseQueue(path: path, configuration: config)
    try holder.inDatabase { db in try db.execute(sql: "BEGIN EXCLUSIVE; CREATE TABLE held (x);") }
    do {
      _ = try await StateStore.open(path: path, busyTimeout: .milliseconds(300))
      Issue.record("a database locked by another connection was opened")
    } catch let error as StoreError {
      #expect(error.kind == .locked)
    }
    try holder.inDatabase { db in try db.execute(sql: "ROLLBACK") }
    _ = try await StateStore.open(path: path)
  }

  @Test func missingDirectoryIsAClearError() async throws {
    do {
      _ = try await StateStore.open(path: dir.appendingPathComponent("no/such/dir/state.db").path)
      Issue.record("opened a database in a missing directory")
    } catch let error as StoreError {
      #expect(error.kind == .cannotOpen)
    }
  }
}
