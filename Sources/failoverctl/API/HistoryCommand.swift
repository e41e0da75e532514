import ArgumentParser
import ControlService
import ControlServiceClient
import Foundation
import Orchestrator
import Topology

struct HistoryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "Failovers, promotes and demotes, newest first, each with its steps and timings.")

  @Argument(help: "Only this service.") var service: String?
  @Option(help: "How many.") var limit: Int = 20
  @OptionGroup var server: ServerOptions

  func run() async throws {
    var path = "/v1/failovers?limit=\(limit)"
    if let service { path += "&service=\(pathComponent(service))" }
    let list = try await server.client.get(path, as: FailoverList.self)
    if server.output == .json {
      try printJSON(list)
      return
    }
    if list.failovers.isEmpty {
      print("no failovers yet")
      return
    }
    for f in list.failovers {
      print(
        "#\(f.id) \(f.service) \(f.kind) \(f.mode) \(f.sourceCluster) -> \(f.targetCluster) "
          + "epoch \(f.fromEpoch) -> \(f.toEpoch): \(f.status)")
      print("   by \(f.requestedBy) at \(iso(f.createdAt))\(f.reason.isEmpty ? "" : ": \(f.reason)")")
      if let loss = f.expectedLossRecords, f.mode == .forced {
        print(
          "   expected loss at the decision: at most \(loss) records (the flow's last measured lag and what the source may have taken since)"
        )
      }
      let rows = f.steps.map { s in
        [
          "\(s.seq)", s.name.rawValue, s.status.rawValue, "\(s.attempt)",
          duration(s.durationMs), s.details,
        ]
      }
      print(
        TextTable.render(
          ["  #", "STEP", "STATUS", "TRY", "TOOK", "DETAILS"], rows.map { ["  " + $0[0]] + $0.dropFirst() },
          maxWidth: 80))
    }
  }
}

struct AuditCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit", abstract: "The audit log, newest first: who did what, when, and how it ended.")

  @Option(help: "How many entries.") var limit: Int = 50
  @Option(help: "Only entries older than this id (for paging).") var before: Int64?
  @OptionGroup var server: ServerOptions

  func run() async throws {
    var path = "/v1/audit?limit=\(limit)"
    if let before { path += "&before=\(before)" }
    let log = try await server.client.get(path, as: AuditList.self)
    if server.output == .json {
      try printJSON(log)
      return
    }
    print(
      TextTable.render(
        ["ID", "AT", "ACTOR", "ACTION", "SUBJECT", "OUTCOME"],
        log.entries.map {
          ["\($0.id ?? 0)", iso($0.at), $0.actor, $0.action.description, $0.subject, $0.outcome.description]
        }, maxWidth: 80))
  }

  struct AuditList: Codable {
    let entries: [AuditEntry]
  }
}

func iso(_ d: Date) -> String {
  let f = ISO8601DateFormatter()
  f.formatOptions = [.withInternetDateTime]
  return f.string(from: d)
}

func duration(_ ms: Int64?) -> String {
  guard let ms else { return "-" }
  return ms < 1000 ? "\(ms) ms" : String(format: "%.1f s", Double(ms) / 1000)
}
