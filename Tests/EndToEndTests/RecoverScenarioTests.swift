import Foundation
import TestSupport
import Testing

/// `demo --scenario recover` through the built binary: nothing acknowledged is lost for
/// good, and no record of the recovered tail is read twice.
@Suite("failoverctl demo --scenario recover")
struct RecoverScenarioTests {
  @Test func theTailIsRecoveredAndNothingIsLostForGoodOrReadTwice() async throws {
    let report = try await DemoScenarioTests.demo(["--scenario", "recover"])
    #expect(report.int("lost") == 0)
    let tail = report.json["tailRecords"] as? Int ?? 0
    #expect(tail > 0, "east died without a tail: nothing was tested")
    #expect(report.json["recoveredRecords"] as? Int == tail)
    #expect(report.int("tailRead") > 0 && report.int("tailReadTwice") == 0, "\(report.json)")
    let stages = report.json["stages"] as? [[String: Any]] ?? []
    #expect(stages.count == 4)
    // Lost so far after the failover: what east kept; after the recovery: nothing.
    #expect((stages.first?["lostSoFar"] as? Int ?? 0) > 0)
    #expect(stages.dropFirst(2).allSatisfy { $0["lostSoFar"] as? Int == 0 }, "\(stages)")
    #expect(report.after == ["orders@east", "payments@east"])
    // The independent consumer (confluent-kafka, its own librdkafka) read every acknowledged
    // record too.
    let independent = try #require(
      report.json["independent"] as? [String: Any], "no independent consumer in the report: run `make deps`")
    #expect(
      independent["lost"] as? Int == 0 && independent["read"] as? Int == report.int("acknowledged"), "\(independent)")
  }
}
