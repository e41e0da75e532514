import ArgumentParser
import Demo
import Foundation
import KafkaLab
import Logging
import Orchestrator
import Topology

struct DemoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Simulated regions with replication and traffic, a failure or a switchover, and a report.",
    discussion: """
      Needs no Kafka, Java or MirrorMaker: the regions are librdkafka mock clusters on loopback, replicated \
      MM2-style, with producers and consumers that follow the discovery endpoint. Scenarios: unplanned (region \
      east dies, the policy fails over), planned (switchover to west), failback (switchover, maintenance of east, \
      failback), control-plane (three orchestrators on etcd; the region with the primary and the leader \
      dies), active-active (both regions write; east dies; only east's clients move), recover (east dies with an \
      unreplicated tail, comes back, the tail is recovered into west, failback). Exit status 0 when the \
      report's promise holds (planned and failback lose nothing; unplanned loses no more than the orchestrator \
      predicted; active-active: no region loses more than predicted and west's clients never move), 1 when it \
      does not.
      """)

  @Option(help: "unplanned, planned, failback, control-plane, active-active or recover.") var scenario: DemoKind =
    .unplanned
  @Option(help: "Roughly how long the traffic runs, in seconds.") var duration: Double = 30
  @Option(help: "Records per second over all services.") var rate: Int = 400
  @Option(help: "Consumer groups per service.") var groups: Int = 1
  @Option(help: "The SQLite state database (default: a new one in a temporary directory).") var db: String?
  @Option(
    help: "The regions' Kafka: mock (librdkafka's mock clusters) or tansu (Tansu 0.6 brokers; see docs/testing.md).")
  var broker: SimulatedRegion.Broker = .mock
  @Option(
    help:
      "The shipped policies the scenarios start from, with the demo's changes (default: policies/ of the checkout)."
  )
  var policies: String?
  @Option(help: "text (a live timeline and a summary) or json (the report alone on stdout).")
  var output: OutputFormat = .text

  func validate() throws {
    guard (10...600).contains(duration) else { throw ValidationError("--duration must be between 10 and 600 seconds") }
    guard (2...50_000).contains(rate) else { throw ValidationError("--rate must be between 2 and 50000") }
    guard (1...500).contains(groups) else { throw ValidationError("--groups must be between 1 and 500") }
  }

  func run() async throws {
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("failoverctl-demo-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    let text = output == .text
    // The demo speaks for itself: components' own logs only when something is wrong.
    let level: Logger.Level = ProcessInfo.processInfo.environment["DEMO_DEBUG"] != nil ? .info : .error
    LoggingSystem.bootstrap { DemoLogHandler(label: $0, level: level) }
    let started = ContinuousClock.now
    let say: @Sendable (String) -> Void = { line in
      guard text else { return }
      let t = (started.duration(to: .now)) / .seconds(1)
      FileHandle.standardOutput.write(Data(String(format: "[%5.1fs] %@\n", t, line).utf8))
    }
    if text {
      FileHandle.standardOutput.write(
        Data("failoverctl demo --scenario \(scenario.rawValue): simulated regions, replication, traffic\n\n".utf8))
    }
    guard let shipped = policies.map({ URL(fileURLWithPath: $0) }) ?? DemoSettings.shippedPolicies else {
      throw ValidationError(
        "no policies/ found in the working directory or above the binary: run the demo from the checkout "
          + "(make demo) or name the shipped policies with --policies DIR")
    }
    let report: DemoReport
    do {
      report = try await Demo.run(
        DemoSettings(
          kind: scenario, duration: duration, rate: rate, groupsPerService: groups, broker: broker, database: db,
          work: work, policies: shipped, say: say))
    } catch {
      throw reportFailure(error)
    }
    if text { print(report.render()) } else { try printJSON(report) }
    if !report.invariantHolds { throw Exit.invalid }
  }
}

extension DemoKind: ExpressibleByArgument {}
