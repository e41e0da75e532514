import CurlHTTP
import Foundation
import TestSupport
import Testing

@Suite("failoverctl lab and db, as a user runs them")
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

@Suite("failoverctl lab up --mirror and lab fail/recover, as a user runs them")
struct LabMirrorCommandTests {
  @Test func aMirroredLabServesConnectStatusAndTakesFaultsByCommand() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let topology = dir.appendingPathComponent("lab.yaml").path
    let lab = try Failoverctl.start([
      "lab", "up", "--mirror", "--control", "127.0.0.1:0", "--topology-out", topology,
    ])
    defer { lab.process.interrupt() }
    _ = await eventually("the lab wrote its topology", timeout: .seconds(10), every: .milliseconds(50)) {
      FileManager.default.fileExists(atPath: topology) || !lab.process.isRunning
    }
    let text = try String(contentsOfFile: topology, encoding: .utf8)
    let urls = text.split(separator: "\n").filter { $0.contains("connectUrl") }.map {
      String($0.split(separator: "\"")[1])
    }
    #expect(urls.count == 2)
    let connect = try #require(urls.first)
    let http = HTTPClient()
    let status = try await http.get(connect + "/connectors/MirrorSourceConnector/status")
    #expect(status.status == 200)
    #expect(status.text.contains("\"RUNNING\""))
    #expect(try await http.get(connect + "/connectors/Nope/status").status == 404)
    let base = String(connect[..<connect.range(of: "/connect/")!.lowerBound])
    let fail = try await Failoverctl.run(["lab", "fail", "east", "--lab", base])
    #expect(fail.status == 0, "\(fail.stderr)")
    let regions = try await http.get(base + "/lab/regions").text
    #expect(regions.contains("\"state\":\"down\""))
    #expect(try await Failoverctl.run(["lab", "recover", "east", "--lab", base]).status == 0)
    #expect(try await Failoverctl.run(["lab", "fail", "nowhere", "--lab", base]).status == 1)
    // The orchestrator's connect probe pauses the mirror's flow as its failover step would.
    #expect(try await http.put(connect + "/connectors/MirrorSourceConnector/pause", body: []).status == 202)
    #expect(try await http.get(connect + "/connectors/MirrorSourceConnector/status").text.contains("\"PAUSED\""))
  }
}
