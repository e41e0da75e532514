import ArgumentParser
import Foundation
import HealthProbes
import KafkaLab
import Orchestrator

struct DemoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Simulated regions on this machine: topology, state, traffic, a regional failure, a report.",
    discussion: "Needs no Kafka, Java or MirrorMaker: the regions are librdkafka mock clusters on loopback.")

  @Option(help: "The SQLite state database (default: a new one in a temporary directory).") var db: String?
  @Option(help: "text or json (the JSON report alone on stdout).") var output: OutputFormat = .text
  @Option(help: "Comma-separated region names.") var regions: String = "east,west"

  func run() async throws {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("failoverctl-demo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    let tour = LabTour(
      regionNames: regions.split(separator: ",").map(String.init), workDirectory: work,
      databasePath: db ?? work.appendingPathComponent("failover.db").path)
    let text = output == .text
    do {
      if text { print("failoverctl demo: simulated Kafka regions on this machine\n") }
      let report = try await tour.run { line in if text { print("▸ \(line)") } }
      if text {
        let down = report.whileDown?.state.rawValue ?? "?"
        let after = report.afterRecovery?.state.rawValue ?? "?"
        print(
          "\nsummary: \(report.produced) records produced; \(report.failedRegion) read \(down) while down, \(after) after"
        )
        let moved = report.failovers.map { "\($0.service) \($0.sourceCluster)->\($0.targetCluster) \($0.status)" }
        let home = report.servicesAfterFailback.map { "\($0.service) on \($0.activeCluster) at epoch \($0.epoch)" }
        print("failovers: \(moved.joined(separator: ", ")); after failback: \(home.joined(separator: ", "))")
        print("state database: \(report.database)")
      } else {
        try printJSON(report)
      }
    } catch {
      throw reportFailure(error)
    }
  }
}
