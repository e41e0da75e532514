import Foundation
import Orchestrator
import Testing
import Topology

@Suite("Policy files")
struct PolicyLoaderTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  @Test func everyShippedPolicyIsValid() throws {
    let dir = Self.root.appendingPathComponent("policies")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
    #expect(
      files == ["active-active-standalone.yaml", "active-active.yaml", "active-passive.yaml", "manual-approval.yaml"])
    for f in files {
      let p = try PolicyLoader.load(path: dir.appendingPathComponent(f).path)
      #expect(p.name == String(f.dropLast(5)))
      #expect(!p.trigger.conditions.isEmpty)
    }
    let manual = try PolicyLoader.load(path: dir.appendingPathComponent("manual-approval.yaml").path)
    #expect(manual.guards.approval == .manual)
    #expect(manual.guards.window == .seconds(86_400))
    #expect(manual.guards.blackouts == [Policy.Blackout(days: [7], from: 120, to: 240)])
    let aa = try PolicyLoader.load(path: dir.appendingPathComponent("active-active.yaml").path)
    #expect(aa.trigger.combine == .all)
    #expect(aa.action.target == .preferred(["west", "east"]))
    #expect(aa.action.replication == .reverse)
  }

  /// One orchestrator is one vantage point: the shipped active-active policy (quorum 2)
  /// could never fire for a standalone topology, and validation with it says so at the
  /// line; coordinated, it is valid; the standalone variant is valid either way.
  @Test func aQuorumAStandaloneTopologyCannotReachIsRefusedWithItsLine() throws {
    let dir = Self.root.appendingPathComponent("policies")
    let standalone = Topology(
      regions: [Region(name: "east"), Region(name: "west")],
      clusters: [
        Cluster(name: "east", region: "east", bootstrapServers: "e:9092"),
        Cluster(name: "west", region: "west", bootstrapServers: "w:9092"),
      ], flows: [], services: [])
    do {
      _ = try PolicyLoader.load(
        path: dir.appendingPathComponent("active-active.yaml").path, topology: standalone, checkQuorum: true)
      Issue.record("a quorum of 2 was accepted for one orchestrator")
    } catch let e as ConfigError {
      let d = try #require(e.diagnostics.first)
      #expect(d.path == "trigger.quorum" && d.location.line == 14, "\(d)")
      #expect(d.message.contains("could never fire") && d.message.contains("standalone"))
    }
    var coordinated = standalone
    coordinated.controlPlane = ControlPlaneSettings(endpoints: ["http://127.0.0.1:2379"])
    _ = try PolicyLoader.load(
      path: dir.appendingPathComponent("active-active.yaml").path, topology: coordinated, checkQuorum: true)
    _ = try PolicyLoader.load(
      path: dir.appendingPathComponent("active-active-standalone.yaml").path, topology: standalone, checkQuorum: true)
  }

  @Test func everyProblemIsReportedWithItsLineAndField() {
    let yaml = """
      version: 1
      trigger:
        any:
          - clusterUnreachabel: {for: 10s}
          - lagAbove: {for: 1m}
      guards:
        maxFailovers: {count: 0, per: 1h}
        blackouts:
          - {days: [funday], from: "25:00", to: "01:00"}
      action:
        translation: magic
        drainTimeout: soon
      """
    do {
      _ = try PolicyLoader.parse(yaml: yaml, file: "p.yaml", defaultName: "p")
      Issue.record("accepted an invalid policy")
    } catch {
      let lines = error.diagnostics.map(\.description)
      #expect(lines.contains { $0.hasPrefix("p.yaml:4:") && $0.contains("did you mean \"clusterUnreachable\"") })
      #expect(lines.contains { $0.contains("trigger.any[1].lagAbove.records: required field is missing") })
      #expect(
        lines.contains { $0.hasPrefix("p.yaml:7:") && $0.contains("guards.maxFailovers.count: must be at least 1") })
      #expect(lines.contains { $0.contains("\"funday\" is not a day") })
      #expect(lines.contains { $0.contains("guards.blackouts[0].from: expected a UTC time HH:MM") })
      #expect(lines.contains { $0.contains("action.translation: \"magic\" is not one of") })
      #expect(lines.contains { $0.hasPrefix("p.yaml:12:") && $0.contains("drainTimeout") })
      #expect(error.diagnostics.count == 7)
    }
  }

  @Test func aTriggerIsRequiredAndTakesAnyOrAll() {
    #expect(throws: ConfigError.self) { try PolicyLoader.parse(yaml: "version: 1\n", file: "p.yaml", defaultName: "p") }
    let both = "trigger:\n  any: [{clusterUnreachable: {for: 1s}}]\n  all: [{clusterUnreachable: {for: 1s}}]\n"
    #expect(throws: ConfigError.self) { try PolicyLoader.parse(yaml: both, file: "p.yaml", defaultName: "p") }
    let ok = try? PolicyLoader.parse(
      yaml: "trigger:\n  all: [{clusterUnreachable: {for: 1s}}]\n", file: "p.yaml", defaultName: "p")
    #expect(ok?.trigger.conditions == [.clusterUnreachable(for: .seconds(1))])
    #expect(ok?.guards.approval == .automatic)
  }

  @Test func fenceTakesABooleanOrAMappingThatMayWaitForLeases() throws {
    func action(_ fence: String) throws(ConfigError) -> Policy.Action {
      let yaml = "trigger:\n  any:\n    - clusterUnreachable: {for: 10s}\naction:\n  fence: \(fence)\n"
      return try PolicyLoader.parse(yaml: yaml, file: "p.yaml", defaultName: "p").action
    }
    #expect(try action("true").fence && !(try action("true").waitForLeases))
    #expect(!(try action("false").fence))
    let waits = try action("{waitForLeases: true}")
    #expect(waits.fence && waits.waitForLeases)
    #expect(FailoverSettings(waits).waitForLeases)
    do {
      _ = try action("{enabled: false, waitForLeases: true}")
      Issue.record("accepted a lease wait without a fence")
    } catch {
      #expect(
        error.diagnostics.map(\.description) == [
          "p.yaml:5:42: action.fence.waitForLeases: waiting for client leases needs fencing: the leases run out from "
            + "the fence (set enabled: true)"
        ])
    }
    do {
      _ = try action("{waitForLease: true}")
      Issue.record("accepted an unknown key")
    } catch {
      #expect(error.diagnostics.first?.description.contains("did you mean \"waitForLeases\"") == true)
    }
  }
}
