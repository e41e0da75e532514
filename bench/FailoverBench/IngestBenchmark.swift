import Foundation
import KafkaClient
import MM2
import Orchestrator
import Topology

/// Checkpoint ingestion into SQLite: the store path alone (decode + batched upserts, as
/// the ingester writes them), end to end from a Kafka topic through `MM2Ingester`, and
/// the `sqlite3` shell importing the same rows into the same table in one transaction.
struct IngestBenchmark {
  let records: Int

  func checkpoint(_ i: Int) -> Checkpoint {
    Checkpoint(
      group: "group-\(i / 1000)", topic: "orders", partition: Int32(i % 1000), upstreamOffset: Int64(i) * 10,
      downstreamOffset: Int64(i) * 9, metadata: "")
  }

  func run() async throws {
    print("ingest benchmark: \(records) checkpoint records (\(records / 1000) groups x 1000 partitions)")
    let encoded = (0..<records).map { i -> ([UInt8], [UInt8]) in
      let c = checkpoint(i)
      return (c.key, c.value)
    }
    if CommandLine.arguments.contains("--end-to-end-only") {
      print(String(format: "  end to end only: %.0f records/s", try await endToEnd(encoded)))
      return
    }
    if CommandLine.arguments.contains("--poll-only") {
      print(String(format: "  poll only: %.0f records/s", try await pollOnly(encoded)))
      return
    }
    let storeRate = try await storePath(encoded)
    let shellRate = try sqliteShell()
    let e2eRate = try await endToEnd(encoded)
    print(String(format: "  store path (decode + upsert, 20k per transaction): %9.0f records/s", storeRate))
    print(String(format: "  end to end (mock Kafka topic -> MM2Ingester -> SQLite): %9.0f records/s", e2eRate))
    if let shellRate {
      print(String(format: "  sqlite3 shell .import, one transaction:               %9.0f records/s", shellRate))
      print(String(format: "  ratio store path / sqlite3 shell: %.2f", storeRate / shellRate))
      print(String(format: "  ratio end to end / sqlite3 shell: %.2f", e2eRate / shellRate))
    } else {
      print("  sqlite3 shell not found: apt-get install sqlite3 for the comparison")
    }
    print(String(format: "  target: >= 200000 records/s end to end -> %@", e2eRate >= 200_000 ? "met" : "NOT met"))
  }

  func storePath(_ encoded: [([UInt8], [UInt8])]) async throws -> Double {
    let store = try await StateStore.open(path: temporaryDirectory().appendingPathComponent("store.db").path)
    let start = ContinuousClock.now
    var batch = MM2Batch()
    for (i, (key, value)) in encoded.enumerated() {
      batch.checkpoints.append(.init(checkpoint: try Checkpoint.decode(key: key, value: value), timestamp: Int64(i)))
      if batch.checkpoints.count == 20_000 {
        try await store.apply(batch, flow: "east->west")
        batch = MM2Batch()
      }
    }
    try await store.apply(batch, flow: "east->west")
    return Double(encoded.count) / seconds(ContinuousClock.now - start)
  }

  func endToEnd(_ encoded: [([UInt8], [UInt8])]) async throws -> Double {
    let west = try MockCluster(brokers: 1)
    let flow = Flow(source: "east", target: "west")
    // The mock keeps about 100k messages per partition: spread the records over 10.
    try west.createTopic(flow.checkpointsTopic, partitions: 10, replicationFactor: 1)
    let producer = try KafkaClient(bootstrapServers: west.bootstrapServers, defaultTimeout: .seconds(120))
    for chunk in stride(from: 0, to: encoded.count, by: 50_000) {
      let records = encoded[chunk..<min(chunk + 50_000, encoded.count)].enumerated().map {
        ProducerRecord(
          topic: flow.checkpointsTopic, partition: Int32($0.offset % 10), key: $0.element.0, value: $0.element.1)
      }
      _ = try await producer.produce(records)
    }
    let east = try MockCluster(brokers: 1)
    let topology = Topology(
      regions: [Region(name: "e"), Region(name: "w")],
      clusters: [
        Cluster(name: "east", region: "e", bootstrapServers: east.bootstrapServers),
        Cluster(name: "west", region: "w", bootstrapServers: west.bootstrapServers),
      ], flows: [flow], services: [])
    let store = try await StateStore.open(path: temporaryDirectory().appendingPathComponent("e2e.db").path)
    let ingester = try MM2Ingester(flow: flow, topology: topology, store: store)
    if CommandLine.arguments.contains("--end-to-end-only") { print("  catching up from here") }
    let start = ContinuousClock.now
    let stats = try await ingester.catchUp(timeout: .seconds(600))
    let elapsed = ContinuousClock.now - start
    guard stats.checkpoints == encoded.count else {
      throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "ingested \(stats.checkpoints)"])
    }
    return Double(encoded.count) / seconds(elapsed)
  }

  /// The same rows through the sqlite3 shell's CSV import, in one transaction.
  func sqliteShell() throws -> Double? {
    let shell = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    guard let shell else { return nil }
    let dir = temporaryDirectory()
    let csv = dir.appendingPathComponent("rows.csv")
    var text = ""
    text.reserveCapacity(records * 48)
    for i in 0..<records {
      let c = checkpoint(i)
      text += "east->west,\(c.group),\(c.topic),\(c.partition),\(c.upstreamOffset),\(c.downstreamOffset),,\(i)\n"
    }
    try text.write(to: csv, atomically: true, encoding: .utf8)
    let script = """
      CREATE TABLE mm2_checkpoint (flow TEXT NOT NULL, grp TEXT NOT NULL, topic TEXT NOT NULL,
        partition INTEGER NOT NULL, upstream_offset INTEGER NOT NULL, downstream_offset INTEGER NOT NULL,
        metadata TEXT NOT NULL, record_timestamp INTEGER NOT NULL,
        PRIMARY KEY (flow, grp, topic, partition)) WITHOUT ROWID;
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = FULL;
      BEGIN;
      .mode csv
      .import \(csv.path) mm2_checkpoint
      COMMIT;
      """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: shell)
    process.arguments = [dir.appendingPathComponent("shell.db").path]
    let input = Pipe()
    process.standardInput = input
    process.standardOutput = FileHandle.nullDevice
    let start = ContinuousClock.now
    try process.run()
    input.fileHandleForWriting.write(Data(script.utf8))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    return Double(records) / seconds(ContinuousClock.now - start)
  }
}

extension IngestBenchmark {
  /// The consumer alone, for locating the bottleneck.
  func pollOnly(_ encoded: [([UInt8], [UInt8])]) async throws -> Double {
    let west = try MockCluster(brokers: 1)
    try west.createTopic("t", partitions: 10, replicationFactor: 1)
    let producer = try KafkaClient(bootstrapServers: west.bootstrapServers, defaultTimeout: .seconds(120))
    for chunk in stride(from: 0, to: encoded.count, by: 50_000) {
      let records = encoded[chunk..<min(chunk + 50_000, encoded.count)].enumerated().map {
        ProducerRecord(topic: "t", partition: Int32($0.offset % 10), key: $0.element.0, value: $0.element.1)
      }
      _ = try await producer.produce(records)
    }
    let consumer = try KafkaConsumer(properties: ["bootstrap.servers": west.bootstrapServers])
    try await consumer.assign(
      Dictionary(uniqueKeysWithValues: (0..<10).map { (TopicPartition("t", Int32($0)), Int64(-2)) }))
    let start = ContinuousClock.now
    var n = 0
    while n < encoded.count {
      // Decoded in librdkafka's buffer on the consumer's thread, as the ingester does.
      let b = try await consumer.poll(max: 20_000, timeout: .milliseconds(200)) { r in
        (try? Checkpoint.decode(key: r.key!, value: r.value!)) != nil
      }
      n += b.records.count
      if b.records.contains(false) {
        throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "a record did not decode"])
      }
    }
    print("  poll-only: \(n) in \(ContinuousClock.now - start)")
    return Double(n) / seconds(ContinuousClock.now - start)
  }
}
