import Foundation
import TestSupport
import Testing

@Suite("failoverctl probe and status, as a user runs them")
struct ProbeStatusTests {
  @Test func probeOnceThenStatusAgainstALab() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let topology = dir.appendingPathComponent("lab.yaml").path
    let db = dir.appendingPathComponent("state.db").path
    let lab = try await Failoverctl.startLab(topologyOut: topology)
    defer { lab.process.interrupt() }
    let probe = try await Failoverctl.run(["probe", "--config", topology, "--db", db, "--once", "--output", "json"])
    #expect(probe.status == 0, "\(probe.stderr)")
    let report = try JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as! [String: Any]
    let clusters = report["clusters"] as! [[String: Any]]
    #expect(clusters.map { $0["cluster"] as? String } == ["east", "west"])
    #expect(
      clusters.allSatisfy { $0["state"] as? String == "healthy" && ($0["reasons"] as? [String])?.isEmpty == true })

    let status = try await Failoverctl.run(["status", "--config", topology, "--db", db, "--output", "json"])
    #expect(status.status == 0, "\(status.stderr)")
    let model = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
    let judged = model["clusters"] as! [[String: Any]]
    #expect(judged.map { $0["state"] as? String } == ["healthy", "healthy"])
  }

  @Test func aProbeForAnUnknownSubjectIsAConfigurationError() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let file = dir.appendingPathComponent("t.yaml")
    let example = try String(
      contentsOf: Failoverctl.packageRoot.appendingPathComponent("examples/topology.yaml"), encoding: .utf8)
    try
      (example + """

        probes:
          interval: 5x
          http:
            - subject: esat
              url: http://lb-east/health
        """).write(to: file, atomically: true, encoding: .utf8)
    let r = try await Failoverctl.run(["config", "validate", file.path])
    #expect(r.status == 1)
    #expect(r.stderr.contains("probes.interval: expected a duration such as 500ms, 5s or 2m, found \"5x\""))
    #expect(r.stderr.contains("probes.http[0].subject: unknown subject \"esat\"; did you mean \"east\"?"))
  }
}
