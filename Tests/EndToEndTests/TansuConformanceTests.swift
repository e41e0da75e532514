import Foundation
import TestSupport
import Testing

/// The scenarios that matter, on Tansu 0.6: a Kafka-protocol broker this project did not
/// write (docs/testing.md), beside the same scenarios on librdkafka's mock clusters in the
/// other suites. Probe, ingest, translate and apply (with a live group skipped) run on both
/// in `MM2NamingConformanceTests`; the Python client recipe on both in `ClientRecipeTests`.
@Suite("Conformance on an independent broker (Tansu)", .serialized)
struct TansuConformanceTests {
  /// East dies with records MM2 had not copied: the policy fails both services over, and
  /// no more is lost than the orchestrator predicted from the lag it measured.
  @Test func anUnplannedFailoverLosesNoMoreThanPredicted() async throws {
    let report = try await DemoScenarioTests.demo(["--scenario", "unplanned", "--broker", "tansu"])
    let bound = try #require(report.json["expectedLossBound"] as? Int)
    #expect(report.int("lost") <= bound)
    #expect(report.moves.map { $0["kind"] as? String } == ["failover", "failover"])
    #expect(report.moves.allSatisfy { $0["status"] as? String == "succeeded" })
    #expect(report.after == ["orders@west", "payments@west"])
    #expect(report.int("groupsTranslated") == 2)
  }

  /// A planned switchover to west, east down for maintenance and back, then a failback:
  /// nothing acknowledged is lost on the way out or home.
  @Test func aPlannedSwitchoverAndAFailbackLoseNothing() async throws {
    let report = try await DemoScenarioTests.demo(["--scenario", "failback", "--broker", "tansu"])
    #expect(report.int("lost") == 0)
    #expect(report.moves.allSatisfy { $0["status"] as? String == "succeeded" })
    #expect(report.after == ["orders@east", "payments@east"])
  }
}
