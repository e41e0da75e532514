import ArgumentParser
import KafkaClient

/// Runs the command and turns whatever it throws into a message and a documented exit
/// code, in one place (`reportFailure`); the parser's own errors keep their handling.
@main
enum Main {
  static func main() async {
    do {
      var command = try Failoverctl.parseAsRoot()
      // Before any command: a too old librdkafka fails later in ways that look like broken
      // clusters (every probe degraded), which is worse than not starting.
      do { try KafkaLibrary.checkSupported() } catch {
        printError(error.description)
        Failoverctl.exit(withError: Exit.unavailable)
      }
      if var command = command as? AsyncParsableCommand {
        try await command.run()
      } else {
        try command.run()
      }
    } catch {
      Failoverctl.exit(withError: exitError(error))
    }
  }
}

/// This build's version, printed by `--version` and in the first line of `serve`'s log.
let productVersion = "0.1.0"

struct Failoverctl: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "failoverctl",
    abstract: "Failover orchestrator and control plane for geo-replicated Apache Kafka.",
    discussion: """
      Exit codes: 0 success; 1 invalid configuration or input; 3 partly applied \
      (some group-partitions skipped or failed); 4 a failover failed; 64 usage error; \
      66 input file missing or unreadable; 69 a Kafka cluster or server is unavailable; \
      70 internal error; 73 cannot write an output file; 74 state database unusable \
      (newer schema, corrupt, locked); 75 refused by the current state (conflict); \
      77 token missing or of too small a role. See docs/cli.md.
      """,
    version: "\(productVersion) (librdkafka \(KafkaLibrary.version))",
    subcommands: [
      ConfigCommand.self, ProbeCommand.self, StatusCommand.self, OffsetsCommand.self, MM2Command.self, LabCommand.self,
      DemoCommand.self, DBCommand.self, ServeCommand.self, PromoteCommand.self, DemoteCommand.self,
      HistoryCommand.self, AuditCommand.self, TokenCommand.self, PolicyCommand.self,
      FailoverCommand.self, FailbackCommand.self, AckCommand.self, AbortCommand.self, ResumeCommand.self,
      WatchCommand.self, DivergenceCommand.self, RecoverCommand.self, DrillCommand.self,
    ]
  )
}
