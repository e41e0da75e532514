import ArgumentParser
import ControlServiceClient
import Foundation
import Orchestrator

/// Options every command that talks to `failoverctl serve` takes.
struct ServerOptions: ParsableArguments {
  @Option(help: "The control service's URL (default: $FAILOVERCTL_SERVER or http://127.0.0.1:8080).")
  var server: String?
  @Option(help: "A bearer token (default: $FAILOVERCTL_TOKEN).") var token: String?
  @Option(help: "table (text) or json.") var output: OutputFormat = .text

  var client: ControlClient {
    let env = ProcessInfo.processInfo.environment
    return ControlClient(
      server: server ?? env["FAILOVERCTL_SERVER"] ?? "http://127.0.0.1:8080", token: token ?? env["FAILOVERCTL_TOKEN"])
  }
}
