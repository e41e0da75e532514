import Foundation
import Orchestrator
import Testing

@testable import Demo

/// The demo runs the shipped policies, changed only where it says: what it writes is the
/// file operators get, read by the product's own loader.
@Suite("The demo's policies: the shipped files with the demo's changes")
struct DemoPolicyTests {
  static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("policies")

  static func scratch() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("demo-policy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test func everyScenarioRunsAShippedPolicyWithOnlyItsChanges() throws {
    for kind in DemoKind.allCases {
      let demo = kind.scenario.policy
      let written = try demo.write(from: Self.shipped, into: try Self.scratch())
      let original = try PolicyLoader.load(path: Self.shipped.appendingPathComponent("\(demo.name).yaml").path)
      #expect(written.guards.maxLagRecords == 1_000_000, "\(kind)")
      #expect(original.guards.maxLagRecords == 10_000, "\(kind)")
      #expect(written.trigger.quorum == (kind == .controlPlane ? 2 : 1), "\(kind)")
      // Everything the demo does not change is the shipped file's.
      var undone = written
      undone.guards.maxLagRecords = original.guards.maxLagRecords
      undone.trigger.quorum = original.trigger.quorum
      #expect(undone == original, "\(kind)")
    }
  }

  @Test func aSettingTheShippedFileDoesNotHaveIsAMistake() throws {
    let policy = DemoPolicy(name: "active-passive", overrides: [("guards.maxLagRecord", "5")])
    let error = #expect(throws: DemoError.self) { try policy.write(from: Self.shipped, into: try Self.scratch()) }
    #expect(error?.description.contains("has no setting guards.maxLagRecord") == true, "\(error.map { "\($0)" } ?? "")")
    #expect(error?.description.contains("policies/active-passive.yaml") == true)
  }

  @Test func aValueTheLoaderRefusesIsReportedWithItsDiagnostics() throws {
    let policy = DemoPolicy(name: "active-passive", overrides: [("guards.maxLagRecords", "many")])
    #expect(throws: (any Error).self) { try policy.write(from: Self.shipped, into: try Self.scratch()) }
  }

  @Test func withoutTheShippedPoliciesNothingStarts() async throws {
    let work = try Self.scratch()
    let settings = DemoSettings(
      kind: .planned, duration: 10, work: work, policies: work.appendingPathComponent("nowhere"))
    let error = await #expect(throws: DemoError.self) { try await Demo.run(settings) }
    #expect(error?.description.contains("no shipped policy") == true)
    // Nothing ran: no database was created.
    #expect(!FileManager.default.fileExists(atPath: settings.database))
  }
}
