import Foundation
import TestSupport
import Testing

/// The demo scenarios through the built binary, with short durations: the report's
/// promises (nothing lost when planned, no more than predicted when not), never timings.
@Suite("failoverctl demo --scenario, as a newcomer runs it")
struct DemoScenarioTests {
  struct Report {
    let json: [String: Any]
    var int: (String) -> Int { { json[$0] as? Int ?? -1 } }
    var moves: [[String: Any]] { json["failovers"] as? [[String: Any]] ?? [] }
    var after: [String] {
      (json["servicesAfter"] as? [[String: Any]] ?? []).map { "\($0["service"]!)@\($0["activeCluster"]!)" }
    }
  }

  static func demo(_ arguments: [String], db: String? = nil) async throws -> Report {
    var args = ["demo", "--output", "json", "--duration", "10"] + arguments
    if let db { args += ["--db", db] }
    let r = try await Failoverctl.run(args)
    try #require(r.status == 0, "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    let report = Report(json: json)
    // Every record is accounted for, and the traffic really ran.
    #expect(report.int("acknowledged") > 0)
    #expect(report.int("produced") >= report.int("acknowledged"))
    #expect(report.int("consumed") >= report.int("acknowledged") - report.int("lost"))
    #expect(report.int("lost") >= 0 && report.int("redelivered") >= 0)
    return report
  }

  @Test func unplannedLosesNoMoreThanTheOrchestratorPredicted() async throws {
    let report = try await Self.demo(["--scenario", "unplanned"])
    #expect(report.json["scenario"] as? String == "unplanned")
    let bound = try #require(report.json["expectedLossBound"] as? Int)
    #expect(report.int("lost") <= bound)
    // The policy moved both services on its own, through every step.
    #expect(report.moves.map { $0["kind"] as? String } == ["failover", "failover"])
    #expect(report.moves.allSatisfy { $0["requestedBy"] as? String == "policy:active-passive" })
    #expect(report.moves.allSatisfy { $0["status"] as? String == "succeeded" })
    #expect(report.after == ["orders@west", "payments@west"])
    #expect((report.json["detectionSeconds"] as? Double ?? 0) > 0)
    #expect(report.int("groupsTranslated") == 2)
  }

  @Test func plannedSwitchoverLosesNothingAndTranslatesEveryGroup() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let db = dir.appendingPathComponent("demo.db").path
    let report = try await Self.demo(["--scenario", "planned", "--groups", "3"], db: db)
    #expect(report.int("lost") == 0)
    #expect(report.moves.map { $0["kind"] as? String } == ["promote", "promote"])
    #expect(report.after == ["orders@west", "payments@west"])
    #expect(report.int("consumerGroups") == 6)
    #expect(report.int("groupsTranslated") == 6)
    // The demo's state is in the database it was given, readable by the CLI.
    let status = try await Failoverctl.run(["db", "status", "--db", db, "--output", "json"])
    #expect(status.status == 0, "\(status.stderr)")
    #expect(status.stdout.contains("\"activeCluster\" : \"west\""))
  }

  @Test func failbackAfterMaintenanceLosesNothing() async throws {
    let report = try await Self.demo(["--scenario", "failback"])
    #expect(report.int("lost") == 0)
    #expect(report.moves.map { $0["kind"] as? String } == ["promote", "promote", "failback", "failback"])
    #expect(report.moves.allSatisfy { $0["status"] as? String == "succeeded" })
    #expect(report.after == ["orders@east", "payments@east"])
    #expect(report.json["failbackSeconds"] as? Double != nil)
  }

  /// Both regions write; east dies: only east's clients move, west's never see a change,
  /// and neither region's consumers lose more than the orchestrator predicted.
  @Test func activeActiveMovesOnlyEastsClients() async throws {
    let report = try await Self.demo(["--scenario", "active-active"])
    #expect(report.json["scenario"] as? String == "active-active")
    _ = try #require(report.json["expectedLossBound"] as? Int)
    let regions = report.json["regions"] as? [[String: Any]] ?? []
    #expect(regions.map { $0["region"] as? String } == ["east", "west"])
    // East comes back and replication delivers its tail: nothing is lost for good.
    #expect(report.int("tailRecords") > 0, "\(report.json)")
    for r in regions {
      #expect((r["consumed"] as? Int ?? 0) > 0 && r["lost"] as? Int == 0, "\(r)")
    }
    #expect(report.json["unmovedRegionViews"] as? [String] == ["west@1"])
    #expect(report.moves.compactMap { $0["service"] as? String }.sorted() == ["orders@east", "payments@east"])
    #expect(report.moves.allSatisfy { $0["status"] as? String == "succeeded" })
    #expect(
      report.after == ["orders@east@west", "orders@west@west", "payments@east@west", "payments@west@west"])
  }

  /// Three orchestrators on etcd: the region with the primary and the leader dies; a
  /// survivor leads, two votes from outside east fail the services over, and the loss
  /// stays within the bound.
  @Test func controlPlaneSurvivesTheRegionOfItsLeader() async throws {
    let report = try await Self.demo(["--scenario", "control-plane"])
    #expect(report.json["scenario"] as? String == "control-plane")
    #expect(report.json["leaderBefore"] as? String == "orchestrator-east")
    let after = report.json["leaderAfter"] as? String
    #expect(after == "orchestrator-west" || after == "orchestrator-central", "\(after ?? "none")")
    #expect((report.json["leaderTakeoverSeconds"] as? Double ?? 0) > 0)
    let bound = try #require(report.json["expectedLossBound"] as? Int)
    #expect(report.int("lost") <= bound)
    #expect(report.moves.map { $0["kind"] as? String } == ["failover", "failover"])
    #expect(report.moves.allSatisfy { $0["status"] as? String == "succeeded" })
    #expect(report.after.allSatisfy { !$0.hasSuffix("@east") })
  }

  @Test func demoRejectsAnUnknownScenario() async throws {
    let r = try await Failoverctl.run(["demo", "--scenario", "meteor"])
    #expect(r.status == 64)
    #expect(r.stderr.contains("scenario"))
  }
}
