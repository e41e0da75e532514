import ArgumentParser
import ControlService
import Foundation
import HealthProbes
import KafkaClient
import Logging
import Orchestrator
import Topology

struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Run the control service: probes, MM2 ingesters, discovery, the admin API and the console.",
    discussion: """
      Refuses to start on an invalid topology (exit 1) or a state database it cannot trust (exit 74). \
      Prints "listening on URL" once it accepts connections. SIGTERM or SIGINT shut it down gracefully: \
      long-polls are answered, requests in flight finish, results are flushed. The console is at URL/ui/ \
      (docs/console.md). See docs/api.md.
      """)

  @Option(help: "The topology YAML file.") var config: String
  @Option(help: "The SQLite state database.") var db: String = StateStore.defaultPath
  @Option(help: "Address to listen on, HOST:PORT (port 0: any free port).") var listen: String = "127.0.0.1:8080"
  @Option(help: "This orchestrator's name as a vantage point (default: the host name).") var vantage: String?
  @Option(help: "Directory of the policies services name (default: policies/ beside the topology, else ./policies).")
  var policies: String?
  @Option(help: "Log level: trace, debug, info, notice, warning, error.") var logLevel: String = "info"
  @Option(help: "This orchestrator's name in the control plane (default: the host name).") var instance: String?
  @Option(help: "The region this orchestrator runs in (required with a controlPlane: section).") var region: String?
  @Option(help: "The URL other orchestrators reach this one's API at (default: http://LISTEN).") var advertise: String?

  func validate() throws {
    _ = try ListenAddress(listen)
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error")
    }
  }

  func run() async throws {
    let address = try ListenAddress(listen)
    let level = Logger.Level(rawValue: logLevel) ?? .info
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    let logger = Logger(label: "failoverctl")
    logger.info("failoverctl \(productVersion) starting on librdkafka \(KafkaLibrary.version)")
    let server: ControlServer
    do {
      let member = ControlPlaneMember(
        instance: instance ?? ProcessInfo.processInfo.hostName, region: region ?? "",
        url: advertise ?? "http://\(address.host):\(address.port)")
      server = try await ControlServer.prepare(
        config: config, db: db, host: address.host, port: address.port,
        vantage: vantage ?? instance ?? ProbeResult.defaultVantage, policiesDirectory: policies,
        member: member, logger: logger)
    } catch {
      throw reportFailure(error)
    }
    do {
      try await server.run { url in
        // Unbuffered: whoever started the process waits for this line.
        FileHandle.standardOutput.write(Data("listening on \(url)\n".utf8))
      }
    } catch {
      printError("the control service stopped: \(error)")
      throw Exit.software
    }
  }
}

/// `HOST:PORT`, `:PORT` (all interfaces) or `[IPv6]:PORT`.
struct ListenAddress {
  let host: String
  let port: Int

  init(_ text: String) throws {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
      (0...65535).contains(port)
    else {
      throw ValidationError("--listen \(text): expected HOST:PORT, such as 127.0.0.1:8080 or :8080")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    self.host = host.isEmpty ? "0.0.0.0" : host
    self.port = port
  }
}
