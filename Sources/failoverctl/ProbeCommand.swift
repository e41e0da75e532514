import ArgumentParser
import CurlHTTP
import Foundation
import HealthProbes
import Orchestrator
import Topology

struct ProbeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "probe",
    abstract: "Run every probe of a topology once (--once) or continuously, print and store each result.",
    discussion: """
      --once reports what this run observed, per probe and per cluster (the worst probe wins). \
      Continuous runs apply the topology's intervals with jitter until SIGINT/SIGTERM; `failoverctl status` \
      judges the stored results with hysteresis.
      """)

  @Option(help: "The topology YAML file.") var config: String
  @Option(help: "The SQLite state database where results are kept.") var db: String = StateStore.defaultPath
  @Flag(help: "Run every probe once and exit.") var once = false
  @Option(help: "text or json.") var output: OutputFormat = .text
  @Option(help: "This orchestrator's name as a vantage point (default: the host name).") var vantage: String?

  func run() async throws {
    do {
      let loaded = try TopologyLoader.load(path: config)
      let store = try await StateStore.open(path: db)
      let http = HTTPClient(maxConcurrentRequests: min(64, loaded.topology.probes.maxConcurrent))
      let plan = try ProbePlan(
        topology: loaded.topology, vantage: vantage ?? ProbeResult.defaultVantage, http: http, store: store)
      let retention = loaded.topology.probes.retention
      if once {
        let results = await plan.scheduler.runOnce()
        try await store.record(results, retention: retention)
        let clusters = loaded.topology.clusters.map { c in
          ObservedSubject(c.name, results.filter { $0.subject == c.name })
        }
        if output == .json {
          try printJSON(ProbeReport(results: results, clusters: clusters))
        } else {
          print(resultTable(results))
        }
        return
      }
      let scheduler = plan.scheduler
      let text = output == .text
      // One fsync'd transaction per second for all results, not one per result.
      let buffer = ResultBuffer()
      let flusher = Task {
        while !Task.isCancelled {
          try? await Task.sleep(for: .seconds(1))
          try? await store.record(await buffer.drain(), retention: retention)
        }
      }
      let task = Task {
        await scheduler.run { result in
          await buffer.append(result)
          if text {
            print(resultTable([result], header: false))
          } else if let data = try? JSONCoding.encoder().encode(result) {
            print(String(decoding: data, as: UTF8.self))
          }
        }
      }
      _ = await waitForTerminationSignal()
      task.cancel()
      flusher.cancel()
      try await store.record(await buffer.drain(), retention: retention)
    } catch {
      throw reportFailure(error)
    }
  }
}

struct ProbeReport: Encodable {
  let results: [ProbeResult]
  let clusters: [ObservedSubject]
}

/// One subject as a single run saw it: the worst of its probes.
struct ObservedSubject: Encodable {
  let cluster: String
  let state: String
  let reasons: [String]

  init(_ name: String, _ results: [ProbeResult]) {
    cluster = name
    let worst = results.map(\.state).max()
    state = worst?.rawValue ?? "unknown"
    reasons = results.filter { $0.state != .healthy }.flatMap { r in r.reasons.map { "\(r.kind): \($0)" } }
  }
}

func resultTable(_ results: [ProbeResult], header: Bool = true) -> String {
  let rows = results.map {
    [
      $0.kind.rawValue, $0.subject, $0.state.rawValue, String(format: "%.1f ms", $0.latencyMilliseconds),
      $0.reasons.joined(separator: "; "),
    ]
  }
  let all = table(["KIND", "SUBJECT", "STATE", "LATENCY", "REASONS"], rows)
  return header ? all : all.split(separator: "\n").dropFirst().joined(separator: "\n")
}
