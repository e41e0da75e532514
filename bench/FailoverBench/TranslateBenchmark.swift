import Foundation
import MM2
import Orchestrator
import Topology

/// Translation of every group-partition of a flow from SQLite, the source unreachable:
/// `prepare` fills a database, `run` (a separate process, so its peak memory is its own)
/// translates everything once.
struct TranslateBenchmark {
  let groups: Int
  let partitions: Int

  var flow: Flow { Flow(source: "east", target: "west") }

  var topology: Topology {
    Topology(
      regions: [Region(name: "e"), Region(name: "w")],
      clusters: [
        Cluster(name: "east", region: "e", bootstrapServers: "127.0.0.1:1"),
        Cluster(name: "west", region: "w", bootstrapServers: "127.0.0.1:2"),
      ], flows: [flow],
      services: [
        Service(
          name: "orders", primary: "east", standbys: ["west"], topics: ["orders"],
          consumerGroups: (0..<groups).map { "group-\($0)" })
      ])
  }

  func prepare(path: String) async throws {
    try? FileManager.default.removeItem(atPath: path)
    let store = try await StateStore.open(path: path)
    var batch = MM2Batch()
    for p in 0..<partitions {
      for k in 0..<20 {
        let u = Int64(k) * 1000
        batch.syncInserts.append(
          .init(topic: "orders", partition: Int32(p), sync: .init(upstream: u, downstream: u - Int64(k)), timestamp: 0))
      }
    }
    try await store.apply(batch, flow: flow.name)
    for g in 0..<groups {
      batch = MM2Batch()
      for p in 0..<partitions {
        let upstream = Int64((g * 7 + p * 13) % 19_000)
        batch.checkpoints.append(
          .init(
            checkpoint: Checkpoint(
              group: "group-\(g)", topic: "orders", partition: Int32(p), upstreamOffset: upstream,
              downstreamOffset: upstream - upstream / 1000),
            timestamp: 1_700_000_000_000))
      }
      try await store.apply(batch, flow: flow.name)
    }
    print("prepared \(path): \(groups) groups x \(partitions) partitions = \(groups * partitions) checkpoints")
  }

  func run(path: String) async throws {
    let store = try await StateStore.open(path: path)
    let planner = TranslationPlanner(flow: flow, topology: topology, store: store)
    let start = ContinuousClock.now
    let translations = try await planner.translate(mode: .checkpoint)
    let elapsed = seconds(ContinuousClock.now - start)
    // Counted in place: a filtered copy would be another million translations in the peak.
    let translated = translations.reduce(0) { $0 + ($1.isTranslated ? 1 : 0) }
    print(
      String(
        format:
          "translate: %d group-partitions (%d translated) in %.2f s (%.0f /s); peak RSS %.0f MiB; target < 1 s and < 300 MiB -> %@",
        translations.count, translated, elapsed, Double(translations.count) / elapsed, peakRSSMiB(),
        elapsed < 1 && peakRSSMiB() < 300 ? "met" : "NOT met"))
  }
}
