import ArgumentParser
import ControlService
import Foundation
import Orchestrator

enum PromoteMode: String, EnumerableFlag {
  case planned, force

  static func help(for value: PromoteMode) -> ArgumentHelp? {
    switch value {
    case .planned: "The target must be reachable (default)."
    case .force: "Promote whatever the health of either side says."
    }
  }
}

struct PromoteCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "promote",
    abstract: "Make a standby cluster the active cluster of a service, through the control service.",
    discussion: """
      Asks for confirmation on a terminal unless --yes; elsewhere --yes (or --dry-run) is required. \
      Exit codes: 0 done; 1 invalid request (unknown service or cluster, not a standby); 64 usage; \
      69 server unreachable; 75 refused by the current state (already active, another change won, \
      unreachable target of a planned promote); 77 token missing or of too small a role.
      """)

  @Argument(help: "The service.") var service: String
  @Option(help: "The cluster to make active.") var to: String
  @Flag var mode: PromoteMode = .planned
  @Flag(help: "Show the plan; change nothing.") var dryRun = false
  @Flag(help: "Do not ask for confirmation.") var yes = false
  @Option(help: "Why, for the audit log.") var reason: String = ""
  @OptionGroup var server: ServerOptions

  func run() async throws {
    let client = server.client
    let path = "/v1/services/\(pathComponent(service))/promote"
    var body: [String: Any] = ["to": to, "mode": mode == .force ? "forced" : "planned", "reason": reason]
    if !dryRun && !yes {
      body["dryRun"] = true
      let plan = try await client.post(path, body: body, as: SwitchOutcome.self)
      printOutcome(plan)
      try confirm("Promote \(to) for \(service)?")
    }
    body["dryRun"] = dryRun
    let outcome = try await client.post(path, body: body, as: SwitchOutcome.self)
    if server.output == .json { try printJSON(outcome) } else { printOutcome(outcome) }
  }
}

struct DemoteCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demote",
    abstract: "Stop producers of a service: its active cluster becomes not writable until a promote.",
    discussion: "Exit codes as for promote.")

  @Argument(help: "The service.") var service: String
  @Flag(help: "Show the plan; change nothing.") var dryRun = false
  @Flag(help: "Do not ask for confirmation.") var yes = false
  @Option(help: "Why, for the audit log.") var reason: String = ""
  @OptionGroup var server: ServerOptions

  func run() async throws {
    let client = server.client
    let path = "/v1/services/\(pathComponent(service))/demote"
    if !dryRun && !yes {
      printOutcome(try await client.post(path, body: ["dryRun": true, "reason": reason], as: SwitchOutcome.self))
      try confirm("Demote \(service)? Producers will stop until a cluster is promoted.")
    }
    let outcome = try await client.post(path, body: ["dryRun": dryRun, "reason": reason], as: SwitchOutcome.self)
    if server.output == .json { try printJSON(outcome) } else { printOutcome(outcome) }
  }
}

func printOutcome(_ o: SwitchOutcome) {
  let verb = o.dryRun ? "would \(o.action)" : "\(o.action)d"
  print("\(o.service): \(verb) \(o.fromCluster) -> \(o.toCluster), epoch \(o.fromEpoch) -> \(o.toEpoch)")
  for (i, step) in o.plan.enumerated() { print("  \(i + 1). \(step)") }
  for w in o.warnings { print("  warning: \(w)") }
  if let f = o.failover { print("  failover \(f.id): \(f.status)") }
}

/// Asks on a terminal; refuses without one, so that scripts must say --yes.
func confirm(_ question: String) throws {
  guard isatty(STDIN_FILENO) == 1 else {
    printError("not a terminal: pass --yes to confirm, or --dry-run to only see the plan")
    throw ExitCode(64)
  }
  FileHandle.standardOutput.write(Data("\(question) [y/N] ".utf8))
  guard let answer = readLine()?.lowercased(), answer == "y" || answer == "yes" else {
    printError("cancelled; nothing changed")
    throw ExitCode(1)
  }
}

func pathComponent(_ s: String) -> String {
  s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? s
}
