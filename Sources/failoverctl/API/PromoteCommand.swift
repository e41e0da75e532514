import ArgumentParser
import ControlService
import ControlServiceClient
import Foundation
import Orchestrator
import Topology

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
      A planned switchover by default: fence the source, drain, translate and write offsets, switch. \
      Follows the failover's steps until it ends (unless --no-wait). \
      Asks for confirmation on a terminal unless --yes; elsewhere --yes (or --dry-run) is required. \
      Exit codes: 0 done; 1 invalid request (unknown service or cluster, not a standby); 4 the failover \
      failed (the service stays fenced: see history, then resume or abort); 64 usage; \
      69 server unreachable; 75 refused by the current state (already active, a failover open, \
      unreachable target of a planned promote); 77 token missing or of too small a role.
      """)

  @Argument(help: "The service.") var service: String
  @Option(help: "The cluster to make active.") var to: String
  @Flag var mode: PromoteMode = .planned
  @OptionGroup var options: SwitchOptions

  func run() async throws {
    try await options.send(
      service, "promote", ["to": to, "mode": (mode == .force ? SwitchMode.forced : .planned).rawValue],
      question: "Promote \(to) for \(service)?")
  }
}

struct FailoverCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "failover",
    abstract: "Unplanned failover of a service, now: to --to or the best standby, without draining.",
    discussion: """
      Prints the records the standby was behind (what may be lost) when the source still answers. \
      Exit codes as for promote.
      """)

  @Argument(help: "The service.") var service: String
  @Option(help: "The cluster to make active (default: the best standby).") var to: String?
  @OptionGroup var options: SwitchOptions

  func run() async throws {
    try await options.send(
      service, "failover", to.map { ["to": $0] } ?? [:], question: "Fail \(service) over now, without draining?")
  }
}

struct FailbackCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "failback",
    abstract: "Move a failed-over service home to its primary: a planned switchover once replication back caught up.",
    discussion: """
      Lists, per partition, records the primary holds that never reached the standby before the failover. \
      Exit codes as for promote.
      """)

  @Argument(help: "The service.") var service: String
  @OptionGroup var options: SwitchOptions

  func run() async throws {
    try await options.send(service, "failback", [:], question: "Fail \(service) back to its primary?")
  }
}

/// What promote, failover and failback share: dry run, confirmation, reason, following.
struct SwitchOptions: ParsableArguments {
  @Flag(help: "Show the plan; change nothing.") var dryRun = false
  @Flag(help: "Do not ask for confirmation.") var yes = false
  @Option(help: "Why, for the audit log.") var reason: String = ""
  @Option(help: "Active-active: the client region whose clients move (or name the service SERVICE@REGION).")
  var region: String?
  @Flag(help: "Return once the failover is accepted; do not follow its steps.") var noWait = false
  @OptionGroup var server: ServerOptions

  /// Shows the plan and asks (unless --yes or --dry-run), sends, follows the failover.
  func send(_ service: String, _ action: String, _ fields: [String: Any], question: String) async throws {
    let client = server.client
    let path = "/v1/services/\(pathComponent(service))/\(action)"
    var body = fields
    body["reason"] = reason
    if let region { body["region"] = region }
    if !dryRun && !yes {
      body["dryRun"] = true
      printOutcome(try await client.post(path, body: body, as: SwitchOutcome.self))
      try confirm(question)
    }
    body["dryRun"] = dryRun
    let outcome = try await client.post(path, body: body, as: SwitchOutcome.self)
    try await follow(outcome, client: client, output: server.output, wait: !noWait)
  }
}

/// Prints an accepted failover and follows its steps until it ends.
func follow(_ outcome: SwitchOutcome, client: ControlClient, output: OutputFormat, wait: Bool) async throws {
  guard let failover = outcome.failover, wait else {
    if output == .json { try printJSON(outcome) } else { printOutcome(outcome) }
    return
  }
  if output == .text { printOutcome(outcome) }
  try await followFailover(failover, client: client, output: output)
}

/// Polls a failover, printing each step as it completes, until it ends.
func followFailover(_ failover: FailoverRecord, client: ControlClient, output: OutputFormat) async throws {
  var shown = Set<Int>()
  var record = failover
  while true {
    for s in record.steps where !shown.contains(s.seq) && s.status.isComplete {
      shown.insert(s.seq)
      if output == .text { print("  ✓ \(s.name) (\(s.status), \(duration(s.durationMs))): \(s.details)") }
    }
    if record.status.isFinished { break }
    try await Task.sleep(for: .milliseconds(200))
    record = try await client.get("/v1/failovers/\(failover.id)", as: FailoverRecord.self)
  }
  if output == .json {
    try printJSON(record)
  } else {
    print("failover \(record.id): \(record.status)\(record.error.map { ": \($0)" } ?? "")")
  }
  if record.status != .succeeded { throw Exit.failoverFailed }
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
  @Option(help: "Active-active: the client region whose producers stop (or name the service SERVICE@REGION).")
  var region: String?
  @OptionGroup var server: ServerOptions

  func run() async throws {
    let client = server.client
    let path = "/v1/services/\(pathComponent(service))/demote"
    var body: [String: Any] = ["reason": reason]
    if let region { body["region"] = region }
    if !dryRun && !yes {
      body["dryRun"] = true
      printOutcome(try await client.post(path, body: body, as: SwitchOutcome.self))
      try confirm("Demote \(service)? Producers will stop until a cluster is promoted.")
    }
    body["dryRun"] = dryRun
    let outcome = try await client.post(path, body: body, as: SwitchOutcome.self)
    if server.output == .json { try printJSON(outcome) } else { printOutcome(outcome) }
  }
}

func printOutcome(_ o: SwitchOutcome) {
  let verb =
    o.dryRun ? "would \(o.action)" : o.failover.map { _ in "\(o.action) accepted:" } ?? "\(o.action)d"
  print("\(o.service): \(verb) \(o.fromCluster) -> \(o.toCluster), epoch \(o.fromEpoch) -> \(o.toEpoch)")
  for (i, step) in o.plan.enumerated() { print("  \(i + 1). \(step)") }
  for w in o.warnings { print("  warning: \(w)") }
  if let loss = o.expectedLossRecords { print("  the standby is \(loss) records behind: at most that many are lost") }
  if let t = o.translations, !t.isEmpty {
    print(
      TextTable.render(
        ["  GROUP", "TOPIC", "PART", "OFFSET", "BASIS"],
        t.map {
          ["  " + $0.group, $0.targetTopic, "\($0.partition)", $0.translatedOffset.map { "\($0)" } ?? "-", $0.basis]
        }, maxWidth: 80))
  }
  if let u = o.unreplicated {
    if u.isEmpty {
      print("  every record of the primary reached the standby before the failover")
    } else {
      print("  records on the primary that never reached the standby:")
      for p in u { print("    \(p.topic)[\(p.partition)]: \(p.recordsBehind ?? 0)") }
    }
  }
  for note in o.failbackNotes ?? [] { print("  \(note)") }
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
