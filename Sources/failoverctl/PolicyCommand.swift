import ArgumentParser
import ControlServiceClient
import Foundation
import Orchestrator
import Topology

struct PolicyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy", abstract: "Work with failover policies (policies/*.yaml).",
    subcommands: [Validate.self, Simulate.self])

  struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a policy file and print a summary or every error with its line.",
      discussion: "Exit code 0 when valid, 1 when invalid, 66 when a file cannot be read. See docs/policies.md.")

    @Argument(help: "The policy YAML file.") var file: String
    @Option(help: "A topology: also check that the clusters the policy names exist.") var config: String?

    func run() async throws {
      do {
        let topology = try config.map { try TopologyLoader.load(path: $0).topology }
        let policy = try PolicyLoader.load(path: file, topology: topology, checkQuorum: true)
        print("\(file): valid")
        print(PolicySummary(policy).text)
      } catch {
        throw reportFailure(error)
      }
    }
  }
}

extension PolicyCommand {
  struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Replay the stored probe history against a policy and list when it would have fired.",
      discussion: """
        Reads the probe results `failoverctl probe` or `serve` stored (kept for probes.retention). \
        Lag is not in that history: RPO and checkpoint-age guards see it as unknown.
        """)

    @Option(help: "The policy YAML file.") var policy: String
    @Option(help: "The topology YAML file.") var config: String
    @Option(help: "The SQLite state database.") var db: String = StateStore.defaultPath
    @Option(help: "Only this service, or SERVICE@REGION (default: the services that name this policy, else all).")
    var service: String?
    @Option(help: "text or json.") var output: OutputFormat = .text

    func run() async throws {
      do {
        let topology = try TopologyLoader.load(path: config).topology
        let p = try PolicyLoader.load(path: policy, topology: topology)
        // Each client region of an active-active service is decided on its own.
        var services = topology.lanes.filter { $0.policy == p.name }
        if services.isEmpty { services = topology.lanes }
        if let service {
          guard let s = topology.service(service) else {
            printError("unknown service \"\(service)\"")
            throw Exit.invalid
          }
          services = [s]
        }
        let store = try await StateStore.open(path: db)
        let history = try await store.probeHistory()
        let events = PolicySimulation(policy: p, topology: topology).run(history: history, services: services)
        if output == .json {
          try printJSON(events)
          return
        }
        print("\(history.count) probe results replayed for \(services.map(\.name).joined(separator: ", "))")
        if events.isEmpty { print("the policy would never have fired") }
        print(
          TextTable.render(
            ["AT", "SERVICE", "DECISION", "TARGET", "WHY"],
            events.map { [iso($0.at), $0.service, $0.decision.rawValue, $0.target ?? "-", $0.reason] }, maxWidth: 100))
      } catch {
        throw reportFailure(error)
      }
    }
  }
}

/// A policy in a few lines, as an operator reads it back.
struct PolicySummary {
  let text: String

  init(_ p: Policy) {
    func d(_ x: Duration) -> String {
      let s = Int(x / .seconds(1))
      return s % 3600 == 0 ? "\(s / 3600)h" : s % 60 == 0 ? "\(s / 60)m" : "\(s)s"
    }
    let conditions = p.trigger.conditions.map { c -> String in
      switch c {
      case .clusterUnreachable(let f): "active cluster unreachable for \(d(f))"
      case .probeFailing(let kind, let f): "\(kind) probe failing for \(d(f))"
      case .lagAbove(let n, let f): "lag above \(n) records for \(d(f))"
      }
    }
    let g = p.guards
    var guards = ["healthy target: \(g.healthyTarget ? "required" : "not required")"]
    if let n = g.maxLagRecords { guards.append("RPO budget: \(n) records") }
    if let a = g.maxCheckpointAge { guards.append("checkpoint younger than \(d(a))") }
    guards.append("cooldown \(d(g.cooldown)), at most \(g.maxFailovers) per \(d(g.window))")
    if !g.blackouts.isEmpty { guards.append("\(g.blackouts.count) blackout window(s)") }
    let target =
      switch p.action.target {
      case .bestStandby: "best standby"
      case .preferred(let cs): "first healthy of \(cs.joined(separator: ", "))"
      }
    text = """
        name:     \(p.name)
        trigger:  \(p.trigger.combine == .any ? "any of" : "all of"): \(conditions.joined(separator: "; "))\
      \(p.trigger.quorum.map { " (quorum \($0))" } ?? "")
        guards:   \(guards.joined(separator: "; "))
        approval: \(g.approval.rawValue)
        action:   to the \(target); translation \(p.action.translation); \
      fence \(p.action.fence ? "on" : "off"); replication \(p.action.replication.rawValue); \
      \(p.action.webhooks.count) webhook(s)
      """
  }
}
