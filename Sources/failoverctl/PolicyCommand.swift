import ArgumentParser
import Foundation
import Orchestrator

struct PolicyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy", abstract: "Work with failover policies (policies/*.yaml).", subcommands: [Validate.self])

  struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a policy file and print a summary or every error with its line.",
      discussion: "Exit code 0 when valid, 1 when invalid, 66 when a file cannot be read. See docs/policies.md.")

    @Argument(help: "The policy YAML file.") var file: String
    @Option(help: "A topology: also check that the clusters the policy names exist.") var config: String?

    func run() async throws {
      do {
        let topology = try config.map { try TopologyLoader.load(path: $0).topology }
        let policy = try PolicyLoader.load(path: file, topology: topology)
        print("\(file): valid")
        print(PolicySummary(policy).text)
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
