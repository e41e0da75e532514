import ArgumentParser
import Foundation
import Logging
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
  @Option(help: "Comma-separated region names (tour only).") var regions: String = "east,west"
  @Option(help: "tour (default: regions, a failure, failover and failback without traffic), or with traffic: unplanned, planned, failback.")
  var scenario: String = "tour"
  @Option(help: "Roughly how long the scenario runs, in seconds.") var duration: Double = 15

  func validate() throws {
    guard scenario == "tour" || DemoScenario.Kind(rawValue: scenario) != nil else {
      throw ValidationError("--scenario must be unplanned, planned, failback or tour")
    }
    guard (6...600).contains(duration) else { throw ValidationError("--duration must be between 6 and 600 seconds") }
  }

  func run() async throws {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("failoverctl-demo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    if let kind = DemoScenario.Kind(rawValue: scenario) {
      try await runScenario(kind, work)
      return
    }
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

  private func runScenario(_ kind: DemoScenario.Kind, _ work: URL) async throws {
    let text = output == .text
    // The demo speaks for itself: components' own logs only when something is wrong.
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = .error
      return handler
    }
    let started = ContinuousClock.now
    let say: @Sendable (String) -> Void = { line in
      guard text else { return }
      let t = (ContinuousClock.now - started) / .seconds(1)
      FileHandle.standardOutput.write(Data(String(format: "[%5.1fs] %@\n", t, line).utf8))
    }
    if text { print("failoverctl demo --scenario \(kind.rawValue): simulated regions, replication, traffic\n") }
    do {
      let report = try await DemoScenario(
        kind: kind, duration: duration, database: db ?? work.appendingPathComponent("failover.db").path, work: work,
        say: say
      ).run()
      if text {
        print("")
        print(
          TextTable.render(
            ["PRODUCED", "ACKED", "CONSUMED", "LOST", "REDELIVERED", "LOSS BOUND"],
            [
              [
                "\(report.produced)", "\(report.acknowledged)", "\(report.consumed)", "\(report.lost)",
                "\(report.redelivered)", "\(report.expectedLossBound)",
              ]
            ]))
        print(
          String(
            format: "detection %.1f s, failover %.1f s, %d groups translated; orders on %@ at epoch %lld",
            report.detectionSeconds ?? -1, report.failoverSeconds ?? -1, report.groupsTranslated,
            report.activeCluster, report.epoch))
        print("state database: \(report.database)")
      } else {
        try printJSON(report)
      }
    } catch {
      throw reportFailure(error)
    }
  }
}
