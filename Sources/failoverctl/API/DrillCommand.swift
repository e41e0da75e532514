import ArgumentParser
import ControlService
import ControlServiceClient
import Foundation
import Orchestrator
import Topology

/// `failoverctl drill SERVICE` and `failoverctl drill history`: DR drills (docs/drills.md).
struct DrillCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "drill",
    abstract: "Drill a service's failover: a measured planned switchover to a standby and back.",
    subcommands: [Run.self, History.self], defaultSubcommand: Run.self)

  struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: "Switch the service to a standby and back with canary clients, and report RPO, RTO and more.",
      discussion: """
        Refused (exit 75) while anything is unhealthy, a failover or another drill is open, an incident (an \
        unrecovered tail) is open or the flow is over the RPO budget: every closed gate is named. Waits for the \
        drill and prints its report unless --no-wait. Exit 4 when the drill failed or was aborted.
        """)

    @Argument(help: "The service.") var service: String
    @Option(help: "The standby to drill (default: the policy's drill.to, else the first standby).") var to: String?
    @Option(help: "How long to stay on the standby, e.g. 30s or 5m (default: the policy's drill.backAfter, 5m).")
    var backAfter: String?
    @Flag(help: "Show the plan and the closed gates; move nothing.") var dryRun = false
    @Flag(help: "Return once the drill started.") var noWait = false
    @Option(help: "Why, for the audit log.") var reason: String = ""
    @OptionGroup var server: ServerOptions

    func validate() throws {
      if let backAfter, DurationText.parse(backAfter) == nil {
        throw ValidationError("--back-after \"\(backAfter)\": expected a duration such as 30s, 5m or 1h")
      }
    }

    func run() async throws {
      let client = server.client
      var body: [String: Any] = ["dryRun": dryRun, "reason": reason]
      if let to { body["to"] = to }
      if let backAfter { body["backAfter"] = backAfter }
      let started = try await client.post(
        "/v1/services/\(pathComponent(service))/drill", body: body, as: DrillRunner.Started.self)
      if dryRun || noWait || started.drill == nil {
        if server.output == .json {
          try printJSON(started)
          return
        }
        print(
          "\(started.service): drill \(started.fromCluster) -> \(started.toCluster) and back after "
            + "\(DurationText.format(.milliseconds(Int64(started.backAfterSeconds * 1000))))"
            + (started.drill.map { " started (drill \($0.id))" } ?? " (dry run)"))
        for step in started.plan { print("  - \(step)") }
        if started.dryRun {
          print(
            started.closedGates.isEmpty
              ? "every gate is open: it would start now"
              : "it would be refused now:\n" + started.closedGates.map { "  ✗ \($0)" }.joined(separator: "\n"))
        }
        return
      }
      var record = started.drill!
      while record.status == .running {
        try await Task.sleep(for: .milliseconds(500))
        record = try await client.get("/v1/drills/\(record.id)", as: DrillRecord.self)
      }
      if server.output == .json {
        try printJSON(record)
      } else {
        print(DrillReportText.render(record))
      }
      if record.status != .passed { throw Exit.failoverFailed }
    }
  }

  struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "history", abstract: "The drills, newest first, with what each measured.")

    @Argument(help: "Only this service's.") var service: String?
    @Option(help: "At most this many.") var limit = 20
    @OptionGroup var server: ServerOptions

    func run() async throws {
      var path = "/v1/drills?limit=\(limit)"
      if let service { path += "&service=\(pathComponent(service))" }
      let list = try await server.client.get(path, as: DrillList.self)
      if server.output == .json {
        try printJSON(list)
        return
      }
      print(DrillReportText.table(list.drills))
    }
  }

  struct DrillList: Codable {
    let drills: [DrillRecord]
  }
}

/// A drill as an operator reads it.
enum DrillReportText {
  static func render(_ d: DrillRecord) -> String {
    var lines = [
      "drill \(d.id) of \(d.service): \(d.status) (\(d.fromCluster) -> \(d.toCluster) and back)",
      "  RPO: \(d.report.lost) of \(d.report.acknowledged) acknowledged canary records lost",
      "  offsets: \(d.report.offsetsExact ? "exact" : "not exact") (\(d.report.reread) records read twice)",
    ]
    for leg in d.report.legs {
      lines.append(
        "  \(leg.direction) \(leg.fromCluster) -> \(leg.toCluster): RTO \(ms(leg.rtoMs)), client follow "
          + "\(ms(leg.clientFollowMs)), failover \(leg.failoverId.map(String.init) ?? "-") "
          + "\(leg.failoverStatus ?? "")")
      for s in leg.steps where (s.durationMs ?? 0) > 0 {
        lines.append("      \(s.name): \(ms(s.durationMs))")
      }
    }
    for p in d.report.problems { lines.append("  ✗ \(p)") }
    for r in d.refusal { lines.append("  ✗ \(r)") }
    return lines.joined(separator: "\n")
  }

  static func table(_ drills: [DrillRecord]) -> String {
    TextTable.render(
      ["ID", "SERVICE", "STARTED", "BY", "STATUS", "RPO", "RTO OUT", "RTO BACK", "FOLLOW", "OFFSETS", "WHY"],
      drills.map { d in
        let out = d.report.leg(.out)
        let back = d.report.leg(.back)
        return [
          "\(d.id)", d.service, d.createdAt.formatted(.iso8601), d.trigger.rawValue, d.status.rawValue,
          d.status == .refused ? "-" : "\(d.report.lost)", ms(out?.rtoMs), ms(back?.rtoMs),
          ms(out?.clientFollowMs), d.status == .refused ? "-" : (d.report.offsetsExact ? "exact" : "not exact"),
          (d.refusal + d.report.problems).first ?? "",
        ]
      }, maxWidth: 160)
  }

  static func ms(_ v: Int64?) -> String { v.map { "\($0) ms" } ?? "-" }
}
