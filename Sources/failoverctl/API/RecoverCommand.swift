import ArgumentParser
import ControlService
import ControlServiceClient
import Foundation
import Orchestrator

/// `failoverctl recover SERVICE`: copies the tail the service's last unplanned failover left
/// on the old primary to its active cluster (docs/runbooks.md, "Recover the tail").
struct RecoverCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "recover",
    abstract: "Copy what an unplanned failover left on the old primary to the service's active cluster.",
    discussion: """
      Each record keeps its key, value, headers and timestamp and gains headers naming its origin \
      (failoverctl.origin.cluster, .topic, .partition, .offset). Journaled and resumable: run again after a \
      failure, or kill the server, and no record is copied twice. Asks for confirmation on a terminal unless \
      --yes. Exit 4 when the recovery fails.
      """)

  @Argument(help: "The service.") var service: String
  @Option(
    help:
      "active (the service's own topic: its consumers get the records) or quarantine (the policy's quarantine topic).")
  var into: RecoveryTarget?
  @Flag(help: "Show the plan; copy nothing.") var dryRun = false
  @Flag(help: "Do not ask for confirmation.") var yes = false
  @Option(help: "Why, for the audit log.") var reason: String = ""
  @OptionGroup var server: ServerOptions

  func run() async throws {
    let client = server.client
    let path = "/v1/services/\(pathComponent(service))/recover"
    var body: [String: Any] = ["reason": reason]
    if let into { body["into"] = into.rawValue }
    if dryRun || !yes {
      body["dryRun"] = true
      let plan = try await client.post(path, body: body, as: RecoveryPlanView.self)
      if server.output == .json && dryRun {
        try printJSON(plan)
        return
      }
      print(
        "\(plan.service): would copy \(plan.records) records of failover \(plan.failoverId) from \(plan.from) to "
          + "\(plan.to) (into \(plan.into))")
      print(
        TextTable.render(
          ["  TOPIC", "PARTITION", "OFFSETS", "TO"],
          plan.partitions.map {
            [
              "  " + $0.topic, "\($0.partition)", "\($0.tailStart)..<\($0.tailEnd)",
              "\($0.destTopic)[\($0.destPartition)]",
            ]
          }, maxWidth: 100))
      if dryRun { return }
      try confirm("copy them?")
    }
    body["dryRun"] = false
    var record = try await client.post(path, body: body, as: RecoveryRecord.self)
    while record.status == .running {
      try await Task.sleep(for: .milliseconds(250))
      record = try await client.get("/v1/recoveries/\(record.id)", as: RecoveryRecord.self)
    }
    if server.output == .json {
      try printJSON(record)
    } else {
      print(
        "recovery \(record.id) of \(record.service): \(record.status), \(record.copied) of \(record.records) records "
          + "copied \(record.sourceCluster) -> \(record.targetCluster)\(record.error.map { ": \($0)" } ?? "")")
    }
    if record.status != .succeeded { throw Exit.failoverFailed }
  }
}

extension RecoveryTarget: ExpressibleByArgument {}
