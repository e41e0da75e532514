import Foundation
import TestSupport
import Testing
import Topology

/// The console in a real browser: Debian's chromium, driven through chromedriver by
/// Selenium (Tests/Console/console_check.py), against `serve` over a mirrored lab whose
/// east region has markup in its description. Screenshots are left in
/// .build/artefacts/console.
@Suite("The console in a browser", .serialized)
struct ConsoleTests {
  static var python: URL { Failoverctl.packageRoot.appendingPathComponent(".venv-clients/bin/python") }
  static var check: URL { Failoverctl.packageRoot.appendingPathComponent("Tests/Console/console_check.py") }
  static var artefacts: URL { Failoverctl.packageRoot.appendingPathComponent(".build/artefacts/console") }
  static let marker = #"<img src=x onerror='window.__consoleInjected=1'><b>east</b> & co"#

  /// Chromium, chromedriver and Selenium are there, and the artefacts directory.
  static func requireBrowser() throws {
    for path in [python.path, "/usr/bin/chromium", "/usr/bin/chromedriver"] {
      try #require(
        FileManager.default.isExecutableFile(atPath: path),
        "no \(path): run `make deps` (chromium, chromium-driver and Selenium for the console test)")
    }
    try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
  }

  /// Runs a browser check against the fixture's server with its tokens and the artefacts
  /// directory; its exit status and both outputs (the standard output printed).
  static func run(_ script: URL, _ f: ServeFixture, _ arguments: [String], within: Duration) async throws -> (
    Int32, String, String
  ) {
    let browser = try Failoverctl.start(
      [
        script.path, f.server.url, "--operator", ServeFixture.tokens["operator"]!, "--viewer",
        ServeFixture.tokens["viewer"]!, "--out", artefacts.path,
      ] + arguments, executable: python)
    defer { if browser.process.isRunning { browser.process.terminate() } }
    // Both outputs read from the start, off the cooperative pool.
    async let stdout = Failoverctl.readAll(browser.stdout)
    async let stderr = Failoverctl.readAll(browser.stderr)
    let status = await Failoverctl.wait(browser.process, within: within)
    let out = await stdout
    print(out)
    return (status, out, await stderr)
  }

  @Test func anOperatorSeesTheDeploymentAndPromotesThroughTheConsole() async throws {
    try Self.requireBrowser()
    let marker = Self.marker
    let f = try await ServeFixture.start(labArguments: ["--mirror", "--canary"]) { yaml in
      // Only east's description: west keeps the lab's, so both kinds are on the page.
      var lines = yaml.components(separatedBy: "\n")
      if let i = lines.firstIndex(where: { $0.contains("description:") }) {
        lines[i] = "    description: \"\(marker)\""
      }
      // payments waits for an operator: the console's Ack and Abort.
      return lines.joined(separator: "\n").replacingOccurrences(
        of: "    consumerGroups: [\"payments-ledger\"]\n    policy: \"active-passive\"",
        with: "    consumerGroups: [\"payments-ledger\"]\n    policy: \"manual-approval\"")
    }
    let yaml = try String(contentsOfFile: f.topology, encoding: .utf8)
    let connect = try #require(
      yaml.split(separator: "\n").first { $0.contains("connectUrl") }.map { String($0.split(separator: "\"")[1]) })
    let lab = String(connect[..<connect.range(of: "/connect/")!.lowerBound])
    let (status, out, err) = try await Self.run(
      Self.check, f,
      ["--marker", marker, "--lab", lab], within: .seconds(240))
    #expect(status == 0, "\(out)\n\(err)")
    #expect(out.contains("console check passed"))
    for shot in ["overview", "plan", "failover", "phone"] {
      #expect(
        FileManager.default.fileExists(atPath: Self.artefacts.appendingPathComponent("\(shot).png").path),
        "screenshot \(shot).png")
    }
    _ = await f.stop()
  }

  /// An active-active service: a row per client region, a key written in both regions
  /// shown, and a promote of east's clients through the console that moves only them.
  @Test func anActiveActiveServiceShowsItsRegionsAndMovesOneThroughTheConsole() async throws {
    for path in [Self.python.path, "/usr/bin/chromium", "/usr/bin/chromedriver"] {
      try #require(FileManager.default.isExecutableFile(atPath: path), "no \(path): run `make deps`")
    }
    try FileManager.default.createDirectory(at: Self.artefacts, withIntermediateDirectories: true)
    let f = try await ServeFixture.start(labArguments: ["--active-active", "--mirror"]) { yaml in
      var lines = yaml.components(separatedBy: "\n")
      if let i = lines.firstIndex(where: { $0.contains("policy: \"active-active-standalone\"") }) {
        lines.insert(contentsOf: ["    conflictReport:", "      window: 5m"], at: i + 1)
      }
      return lines.joined(separator: "\n")
    }
    let topology = try TopologyLoader.load(path: f.topology).topology
    let (status, out, err) = try await Self.run(
      Failoverctl.packageRoot.appendingPathComponent("Tests/Console/console_active_active.py"), f,
      [
        "--east", topology.cluster("east")!.bootstrapServers, "--west", topology.cluster("west")!.bootstrapServers,
      ], within: .seconds(180))
    #expect(status == 0, "\(out)\n\(err)")
    #expect(out.contains("console check passed"))
    _ = await f.stop()
  }
}
