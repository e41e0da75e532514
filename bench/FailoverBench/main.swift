import Foundation
import KafkaClient
import MM2
import Orchestrator
import Topology

// Benchmarks print figures and ratios; they assert nothing. See bench/README.md.

let args = CommandLine.arguments.dropFirst()
func option(_ name: String, _ fallback: Int) -> Int {
  guard let i = args.firstIndex(of: name), args.index(after: i) < args.endIndex else { return fallback }
  return Int(args[args.index(after: i)]) ?? fallback
}
func stringOption(_ name: String) -> String? {
  guard let i = args.firstIndex(of: name), args.index(after: i) < args.endIndex else { return nil }
  return args[args.index(after: i)]
}

func seconds(_ d: Duration) -> Double {
  d / .seconds(1)
}

/// Peak resident memory of this process so far, in MiB.
func peakRSSMiB() -> Double {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Double(usage.ru_maxrss) / 1024
}

func temporaryDirectory() -> URL {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("failover-bench-\(UUID().uuidString)")
  try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  return dir
}

switch args.first {
case "ingest": try await IngestBenchmark(records: option("--records", 500_000)).run()
case "detection": try await DetectionBenchmark(runs: option("--runs", 5)).run()
case "translate-prepare":
  try await TranslateBenchmark(groups: option("--groups", 1000), partitions: option("--partitions", 1000))
    .prepare(path: stringOption("--db") ?? "translate-bench.db")
case "translate-run":
  try await TranslateBenchmark(groups: option("--groups", 1000), partitions: option("--partitions", 1000))
    .run(path: stringOption("--db") ?? "translate-bench.db")
case "failover":
  try await FailoverBenchmark(
    groups: option("--groups", 1000), partitions: option("--partitions", 100),
    broker: stringOption("--broker") == "tansu" ? .tansu : .mock
  ).run()
case "detection-to-epoch":
  try await DetectionToEpochBenchmark(runs: option("--runs", 5), intervalMilliseconds: option("--interval-ms", 1000))
    .run()
case "leader-takeover":
  try await LeaderTakeoverBenchmark(runs: option("--runs", 5), ttlSeconds: option("--ttl", 10)).run()
case "longpoll":
  try await LongPollBenchmark(
    url: stringOption("--url") ?? "http://127.0.0.1:8080", service: stringOption("--service") ?? "orders",
    connections: option("--connections", 10_000), epoch: option("--epoch", 1),
    streams: CommandLine.arguments.contains("--events"),
    readyFile: stringOption("--ready-file") ?? "longpoll.ready",
    promotedFile: stringOption("--promoted-file") ?? "longpoll.promoted",
    perAddress: option("--per-address", 20_000)
  ).run()
default:
  print(
    """
    usage: failover-bench ingest [--records N]
           failover-bench leader-takeover [--runs 5] [--ttl 10]
           failover-bench detection [--runs N]
           failover-bench translate-prepare --db PATH [--groups G] [--partitions P]
           failover-bench translate-run --db PATH [--groups G] [--partitions P]
           failover-bench failover [--groups G] [--partitions P] [--broker mock|tansu]
           failover-bench detection-to-epoch [--runs N] [--interval-ms MS]   (from the repository root)
           failover-bench longpoll --url URL [--service S] [--connections N] [--epoch E] [--events]
             [--ready-file F] [--promoted-file F] [--per-address 20000]   (bench/discovery.sh drives it)
    (bench/run.sh runs them all)
    """)
}
