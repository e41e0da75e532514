import Foundation
import TestSupport
import Testing

@Suite("failoverctl lab, demo and db, as a user runs them")
struct LabAndDemoTests {
  @Test func labUpWritesATopologyThatValidatesAndStopsOnSIGINT() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let out = dir.appendingPathComponent("lab.yaml").path
    let lab = try await Failoverctl.startLab(topologyOut: out)
    #expect(FileManager.default.fileExists(atPath: out))
    let validate = try await Failoverctl.run(["config", "validate", out])
    #expect(validate.status == 0, "\(validate.stderr)")
    #expect(validate.stdout.contains("flows:    2 (east->west default, west->east default)"))
    #expect(lab.process.isRunning)
    lab.process.interrupt()
    let printed = await Failoverctl.readAll(lab.stdout)
    #expect(await Failoverctl.wait(lab.process) == 0)
    #expect(printed.contains("region east: 3 brokers at 127.0.0.1:"))
    #expect(printed.contains("stopping the lab"))
  }

  @Test func labRejectsASingleRegion() async throws {
    let r = try await Failoverctl.run(["lab", "up", "--regions", "east"])
    #expect(r.status == 64)
    #expect(r.stderr.contains("at least two"))
  }

  @Test func demoFailsARegionOverAndBack() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let db = dir.appendingPathComponent("demo.db").path
    let r = try await Failoverctl.run(["demo", "--output", "json", "--db", db])
    #expect(r.status == 0, "\(r.stderr)")
    let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
    #expect(report["produced"] as? Int == 1000)
    let clusters = report["clusters"] as? [[String: Any]] ?? []
    #expect(clusters.map { $0["state"] as? String } == ["healthy", "healthy"])
    #expect((report["whileDown"] as? [String: Any])?["state"] as? String == "unreachable")
    #expect((report["afterRecovery"] as? [String: Any])?["state"] as? String == "healthy")
    // Both services failed over to west and back, each through every journaled step.
    let failovers = report["failovers"] as? [[String: Any]] ?? []
    #expect(failovers.map { $0["status"] as? String } == ["succeeded", "succeeded"])
    #expect(failovers.allSatisfy { $0["targetCluster"] as? String == "west" })
    let moved = report["servicesAfterFailover"] as? [[String: Any]] ?? []
    #expect(moved.map { $0["activeCluster"] as? String } == ["west", "west"])
    #expect(moved.map { $0["epoch"] as? Int } == [3, 3])
    let failbacks = report["failbacks"] as? [[String: Any]] ?? []
    #expect(failbacks.map { $0["status"] as? String } == ["succeeded", "succeeded"])
    // The demo's state is in the database it was given.
    let status = try await Failoverctl.run(["db", "status", "--db", db, "--output", "json"])
    #expect(status.status == 0, "\(status.stderr)")
    #expect(status.stdout.contains("\"activeCluster\" : \"east\""))
    #expect(status.stdout.contains("\"epoch\" : 5"))
  }

  @Test func dbInitKeepsStateAcrossRunsAndRefusesGarbage() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let example = Failoverctl.packageRoot.appendingPathComponent("examples/topology.yaml").path
    let db = dir.appendingPathComponent("state.db").path
    let first = try await Failoverctl.run(["db", "init", "--config", example, "--db", db])
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.contains("topology version 1"))
    let again = try await Failoverctl.run(["db", "init", "--config", example, "--db", db])
    #expect(again.stdout.contains("topology version 1"))
    #expect(again.stdout.contains("orders: active east, epoch 1"))
    let garbage = dir.appendingPathComponent("garbage.db").path
    try Data(String(repeating: "not sqlite ", count: 500).utf8).write(to: URL(fileURLWithPath: garbage))
    let refused = try await Failoverctl.run(["db", "status", "--db", garbage])
    #expect(refused.status == 74)
    #expect(refused.stderr.contains("not a SQLite database"))
  }
}
