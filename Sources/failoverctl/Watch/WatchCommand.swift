import ArgumentParser
import DiscoveryClient
import Foundation

struct WatchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "watch",
    abstract: "Follow a service's discovery and keep a client configuration current: a sidecar for any language.",
    discussion: """
      Follows the service's event stream (long-polls where a server has none), trying each --server in turn. \
      On every change it writes --out atomically (write, then rename) and then runs --exec and sends --signal \
      to --pid. The file says whether writes are allowed: not while the service is fenced, and not once the \
      discovery lease (the document's leaseSeconds) has run out without word from any server; writes are \
      allowed again as soon as a server answers. An active-active service needs --region: the clients' region, \
      whose cluster the file names. It runs until SIGTERM or SIGINT (exit 0). Exit codes: 1 unknown \
      service or region missing or unknown; 64 usage; 69 no server answered before the first document (--initial-timeout); 73 cannot write \
      --out; 77 token refused. Once it has a document it never gives up. See docs/clients.md.
      """)

  @Argument(help: "The service to follow.") var service: String
  @Option(help: "Control service URLs, comma-separated, tried in this order.") var server: String
  @Option(help: "Active-active: the region the clients run in (their home cluster, or the peer they moved to).")
  var region: String?
  @Option(help: "The file to keep current (default: print each change to standard output).") var out: String?
  @Option(help: "properties, env or json.") var format: String = "properties"
  @Option(help: "A shell command run after each change, once the file is written.") var exec: String?
  @Option(help: "A signal sent to --pid after each change: HUP, INT, TERM, USR1, USR2 or a number.") var signal: String?
  @Option(help: "The process --signal goes to.") var pid: Int32?
  @Option(help: "Bearer token, when discovery needs one (default: $FAILOVERCTL_TOKEN).") var token: String?
  @Option(help: "Seconds to try every server before the first document, then exit 69.") var initialTimeout: Int = 30
  @Flag(help: "Write the configuration once and exit.") var once = false

  var servers: [String] { server.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }

  func validate() throws {
    for s in servers where !(s.hasPrefix("http://") || s.hasPrefix("https://")) || URL(string: s)?.host == nil {
      throw ValidationError("--server: expected http://HOST:PORT or https://HOST:PORT, found \"\(s)\"")
    }
    if servers.isEmpty { throw ValidationError("--server: expected at least one URL") }
    guard ClientConfiguration.Format(rawValue: format) != nil else {
      throw ValidationError("--format: expected properties, env or json, found \"\(format)\"")
    }
    if (signal == nil) != (pid == nil) { throw ValidationError("--signal and --pid go together") }
    if let signal, WatchActions.signalNumber(signal) == nil {
      throw ValidationError("--signal: expected HUP, INT, TERM, USR1, USR2 or a signal number, found \"\(signal)\"")
    }
    if let pid, pid <= 0 { throw ValidationError("--pid: expected a process id, found \(pid)") }
    if initialTimeout < 1 { throw ValidationError("--initial-timeout: expected at least 1 second") }
  }

  func run() async throws {
    let actions = WatchActions(
      out: out, format: ClientConfiguration.Format(rawValue: format)!, exec: exec,
      signal: signal.flatMap(WatchActions.signalNumber), pid: pid)
    let follower = ServiceFollower(
      service: service, region: region, servers: servers,
      token: token ?? ProcessInfo.processInfo.environment["FAILOVERCTL_TOKEN"],
      initialTimeout: .seconds(initialTimeout))
    let once = self.once
    do {
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
          try await follower.run { state in
            try await actions.apply(state)
            if once { throw WatchDone() }
          }
        }
        group.addTask { _ = await waitForTerminationSignal() }
        defer { group.cancelAll() }
        try await group.next()
      }
    } catch is WatchDone {
      return
    } catch let e as FollowError {
      printError("watch \(service): \(e.description)")
      switch e.code {
      case .unknownService, .region: throw Exit.invalid
      case .refused: throw Exit.notPermitted
      case .unreachable: throw Exit.unavailable
      }
    } catch let e as AtomicFile.WriteError {
      printError("watch \(service): \(e.description)")
      throw Exit.cannotCreate
    }
  }
}

/// `--once`: the first change was handled.
private struct WatchDone: Error {}
