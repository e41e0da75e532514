import Foundation
import Orchestrator
import Yams

/// A shipped policy (`policies/NAME.yaml`) as the demo runs it: the file itself with a few
/// settings changed, so that the demo shows the policy operators get, not a copy that can
/// drift from it. What is written is checked by the product's own policy loader.
struct DemoPolicy: Sendable {
  let name: String
  /// Setting (a dotted path into the file: `guards.maxLagRecords`) to its demo value.
  let overrides: [(path: String, value: String)]

  /// The shipped active-passive policy, with an RPO budget wide enough for the demo's
  /// highest rates: the demo shows a failover, not a refusal.
  static let activePassive = DemoPolicy(name: "active-passive", overrides: [("guards.maxLagRecords", "1000000")])

  /// The same with a quorum of two vantage points: no single orchestrator of the
  /// control-plane scenario can declare a region dead.
  static let activePassiveQuorum = DemoPolicy(
    name: "active-passive", overrides: activePassive.overrides + [("trigger.quorum", "2")])

  /// The shipped active-active-standalone policy with the same wide RPO budget.
  static let activeActive = DemoPolicy(
    name: "active-active-standalone", overrides: [("guards.maxLagRecords", "1000000")])

  /// Reads `NAME.yaml` from `shipped`, applies the overrides and writes it into `directory`;
  /// throws naming the file or the setting when either is not there, and the loader's
  /// diagnostics when the result is not a valid policy.
  func write(from shipped: URL, into directory: URL) throws -> Policy {
    let source = shipped.appendingPathComponent("\(name).yaml")
    guard let text = try? String(contentsOf: source, encoding: .utf8) else {
      throw DemoError(
        "no shipped policy \(source.path): run the demo from a checkout (make demo) or name its policies/ with --policies"
      )
    }
    guard var root = try Yams.compose(yaml: text) else { throw DemoError("\(source.path) is empty") }
    for (path, value) in overrides {
      try Self.set(&root, path.split(separator: ".").map(String.init), Node(value), file: source.path, path: path)
    }
    let out = directory.appendingPathComponent("\(name).yaml")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let yaml =
      "# \(source.path) with the demo's changes: "
      + overrides.map { "\($0.path) = \($0.value)" }.joined(separator: ", ") + "\n" + (try Yams.serialize(node: root))
    try yaml.write(to: out, atomically: true, encoding: .utf8)
    return try PolicyLoader.load(path: out.path)
  }

  /// Sets an existing setting only: a name the shipped file does not have is a mistake here.
  private static func set(_ node: inout Node, _ keys: [String], _ value: Node, file: String, path: String) throws {
    guard let key = keys.first, var child = node[key] else {
      throw DemoError("\(file) has no setting \(path) for the demo to change")
    }
    if keys.count == 1 {
      node[key] = value
    } else {
      try set(&child, Array(keys.dropFirst()), value, file: file, path: path)
      node[key] = child
    }
  }
}
