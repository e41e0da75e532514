import CurlHTTP
import Foundation
import KafkaClient
import KafkaConnect
import KafkaLab
import MM2
import Orchestrator
import Topology

/// One failover of a service with `groups` consumer groups x `partitions` partitions, run
/// by the journaled executor against two simulated regions in this process: every
/// translated offset is written to the target with AlterConsumerGroupOffsets. Prints the
/// total and the time of each step from the journal.
///
/// `broker`: librdkafka's mock cluster (in this process) or one Tansu process per region.
/// The mock keeps committed offsets in a list it searches from the start for every one
/// (`rd_kafka_mock_committed_offset_find`: 69 % of the run's CPU at 100,000), so at this
/// size it measures itself; Tansu is a broker built to hold them.
struct FailoverBenchmark {
  let groups: Int
  let partitions: Int
  var broker: SimulatedRegion.Broker = .mock

  func run() async throws {
    let service = Lab.LabService(name: "orders", topics: ["orders"], groups: [], partitions: Int32(partitions))
    let lab = try await Lab.start(regions: ["east", "west"], broker: broker, brokersPerRegion: 1, services: [service])
    defer { lab.stop() }
    var topology = lab.topology
    topology.services = [
      Service(
        name: "orders", primary: "east", standbys: ["west"], topics: ["orders"],
        consumerGroups: (0..<groups).map { "group-\($0)" })
    ]
    let flow = try require(topology.flow(from: "east", to: "west"))
    let dir = temporaryDirectory()
    let store = try await StateStore.open(path: dir.appendingPathComponent("failover.db").path)
    try await store.ensureServices(topology)
    let seeded = ContinuousClock.now
    var batch = MM2Batch()
    for p in 0..<partitions {
      batch.syncInserts.append(
        .init(topic: "orders", partition: Int32(p), sync: .init(upstream: 0, downstream: 0), timestamp: 0))
    }
    try await store.apply(batch, flow: flow.name)
    for g in 0..<groups {
      batch = MM2Batch()
      for p in 0..<partitions {
        // As MirrorCheckpointTask writes it: the topic as it is named on the target.
        let upstream = Int64((g * 7 + p * 13) % 1000)
        batch.checkpoints.append(
          .init(
            checkpoint: Checkpoint(
              group: "group-\(g)", topic: "east.orders", partition: Int32(p), upstreamOffset: upstream,
              downstreamOffset: upstream),
            timestamp: Int64(Date().timeIntervalSince1970 * 1000)))
      }
      try await store.apply(batch, flow: flow.name)
    }
    print(
      String(
        format: "seeded %d checkpoints (%d groups x %d partitions) in %.1f s", groups * partitions, groups, partitions,
        seconds(ContinuousClock.now - seeded)))
    let kafka = TopologyKafkaClusters(topology: topology)
    let executor = FailoverExecutor(
      topology: topology, store: store, mm2: store, kafka: kafka, connect: ConnectREST(http: HTTPClient()),
      refresh: IngestRefresh(topology: topology, store: store)
    ) { _ in }
    let outcome = try await ServiceSwitch(topology: topology, store: store, mm2: store, kafka: kafka).promote(
      service: "orders", PromoteRequest(target: "west", mode: .forced, reason: "bench"), actor: "bench",
      targetHealth: .healthy, kind: .failover)
    guard let record = outcome.failover else { return }
    var settings = FailoverSettings()
    settings.replication = .none
    let start = ContinuousClock.now
    let finished = await executor.run(record, settings: settings)
    let total = seconds(ContinuousClock.now - start)
    print(
      String(
        format: "failover %@ in %.2f s (target < 10 s: %@); peak RSS %.0f MiB", finished.status.rawValue, total,
        total < 10 && finished.status == .succeeded ? "met" : "NOT met", peakRSSMiB()))
    for s in finished.steps {
      let took = s.startedAt.flatMap { a in s.finishedAt.map { $0.timeIntervalSince(a) } } ?? 0
      let name = s.name.rawValue.padding(toLength: 24, withPad: " ", startingAt: 0)
      let status = s.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
      print("  \(name) \(status) \(String(format: "%7.3f s", took))  \(s.details)")
    }
    // What landed on the target, checked on a sample of groups.
    let west = try topology.cluster("west")!.makeClient()
    var checked = 0
    var matching = 0
    for g in stride(from: 0, to: groups, by: max(1, groups / 10)) {
      let committed = try await west.committedOffsets(
        group: "group-\(g)", partitions: (0..<partitions).map { TopicPartition("east.orders", Int32($0)) })
      for p in 0..<partitions {
        checked += 1
        if committed[TopicPartition("east.orders", Int32(p))] == Int64((g * 7 + p * 13) % 1000) { matching += 1 }
      }
    }
    print("  checked on the target: \(matching) of \(checked) sampled offsets as translated")
    if broker == .tansu, let write = finished.steps.first(where: { $0.name == .writeOffsets }),
      let a = write.startedAt, let b = write.finishedAt
    {
      comparePeer(writeOffsets: b.timeIntervalSince(a), bootstrap: topology.cluster("west")!.bootstrapServers)
    }
  }

  /// The same reads and writes from a client this project did not write, every call in
  /// flight at once, against the same broker (bench/offsets-peer.py): what the broker
  /// itself admits, beside this run's write-offsets step.
  private func comparePeer(writeOffsets: Double, bootstrap: String) {
    let python = ".venv-clients/bin/python"
    guard FileManager.default.isExecutableFile(atPath: python) else {
      print("  peer: \(python) not found (make deps installs it): no comparison")
      return
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["bench/offsets-peer.py", bootstrap, "east.orders", "\(groups)", "\(partitions)"]
    let out = Pipe()
    process.standardOutput = out
    guard (try? process.run()) != nil else {
      print("  peer: could not run bench/offsets-peer.py (run from the repository root)")
      return
    }
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let line = text.split(separator: "\n").last.map(String.init) ?? ""
    guard process.terminationStatus == 0, let total = line.split(separator: " ").last.flatMap({ Double($0) }) else {
      print("  peer: failed (\(process.terminationStatus)): \(text)")
      return
    }
    print("  \(line)")
    print(
      String(format: "  write-offsets / peer: %.2fx (the broker's own floor for these writes)", writeOffsets / total))
  }

  private func require<T>(_ v: T?) throws -> T {
    guard let v else { throw FailoverError(.unknownCluster, "bench setup: missing flow") }
    return v
  }
}
