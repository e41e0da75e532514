import Foundation
import TestSupport
import Testing

/// deploy/systemd/failoverctl.service: systemd's own check of the unit, with its ExecStart
/// pointed at the built binary (where systemd-analyze is installed), and its serve
/// arguments accepted by that binary.
@Suite("The systemd unit")
struct SystemdUnitTests {
  static let analyze = "/usr/bin/systemd-analyze"
  static var unit: URL { Failoverctl.packageRoot.appendingPathComponent("deploy/systemd/failoverctl.service") }

  static func execStart() throws -> [String] {
    let text = try String(contentsOf: unit, encoding: .utf8)
    let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
    return line.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is not installed"))
  func systemdAcceptsTheUnit() async throws {
    let binary = Failoverctl.packageRoot.appendingPathComponent(".build/debug/failoverctl").path
    let dir = try Failoverctl.temporaryDirectory()
    let copy = dir.appendingPathComponent("failoverctl.service")
    try String(contentsOf: Self.unit, encoding: .utf8)
      .replacingOccurrences(of: "/usr/local/bin/failoverctl", with: binary)
      .write(to: copy, atomically: true, encoding: .utf8)
    let p = try Failoverctl.start(["verify", copy.path], executable: URL(fileURLWithPath: Self.analyze))
    async let out = Failoverctl.readAll(p.stdout)
    async let err = Failoverctl.readAll(p.stderr)
    let status = await Failoverctl.wait(p.process, within: .seconds(60))
    let text = await out + (await err)
    #expect(status == 0 && !text.contains("Unknown"), "\(text)")
  }

  /// The unit's serve arguments are ones serve takes: with a topology that does not
  /// exist, serve names the file (exit 66), it does not reject an option.
  @Test func theUnitsServeArgumentsAreServes() async throws {
    var arguments = Array(try Self.execStart().dropFirst())
    let dir = try Failoverctl.temporaryDirectory()
    if let i = arguments.firstIndex(of: "--config") { arguments[i + 1] = dir.appendingPathComponent("none.yaml").path }
    if let i = arguments.firstIndex(of: "--db") { arguments[i + 1] = dir.appendingPathComponent("state.db").path }
    if let i = arguments.firstIndex(of: "--listen") { arguments[i + 1] = "127.0.0.1:0" }
    let r = try await Failoverctl.run(arguments)
    #expect(r.status == 66 && r.stderr.contains("none.yaml"), "\(r.status) \(r.stderr)")
  }
}
