import CurlHTTP
import Foundation
import Orchestrator
import TestSupport
import Testing

/// `failoverctl watch`, the sidecar, as an application team would run it beside its
/// program: the file it keeps, the command it runs, a server that dies and comes back.
@Suite("failoverctl watch: the client sidecar", .serialized)
struct WatchTests {
  /// The configuration file as JSON, once it parses.
  static func read(_ path: String) -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
  }

  static func waitFor(
    _ path: String, within limit: Duration = .seconds(20), _ condition: ([String: Any]) -> Bool
  ) async -> [String: Any]? {
    var found: [String: Any]? = nil
    _ = await eventually("\(path) says what is expected", timeout: limit, every: .milliseconds(50)) {
      found = read(path).flatMap { condition($0) ? $0 : nil }
      return found != nil
    }
    return found
  }

  static func lines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
  }

  @Test func itRewritesItsFileOnEveryChangeRunsItsCommandOnceEachAndHoldsWritesWhenTheLeaseRunsOut() async throws {
    var f = try await ServeFixture.start(leaseSeconds: 2)
    let out = f.dir.appendingPathComponent("orders.json").path
    let log = f.dir.appendingPathComponent("exec.log").path
    let watch = try Failoverctl.start([
      "watch", "orders", "--server", "http://127.0.0.1:1," + f.server.url, "--out", out, "--format", "json",
      "--exec", "echo \"$FAILOVERCTL_EPOCH $FAILOVERCTL_WRITABLE\" >> \(log)",
    ])
    defer { if watch.process.isRunning { watch.process.interrupt() } }
    // The first server is never there: the second one serves.
    let first = await Self.waitFor(out) { $0["epoch"] as? Int == 1 }
    #expect(first?["cluster"] as? String == "east" && first?["writable"] as? Bool == true)
    #expect((first?["topics"] as? [String: [String]])?["produce"] == ["orders"])

    _ = try await f.switchOver("/v1/services/orders/promote", #"{"to": "west", "reason": "test"}"#)
    let moved = await Self.waitFor(out) { $0["epoch"] as? Int == 3 }
    #expect(moved?["cluster"] as? String == "west" && moved?["writable"] as? Bool == true)

    // Every server gone: after the 2 s lease the file says writes are held.
    let port = try #require(URL(string: f.server.url)?.port)
    f.server.forceKill()
    let held = await Self.waitFor(out, within: .seconds(6)) { $0["writable"] as? Bool == false }
    #expect(held?["epoch"] as? Int == 3)
    #expect((held?["reason"] as? String)?.contains("lease of 2 s ran out") == true)

    // The server comes back on its address: writes are allowed again, at the same epoch.
    f.server = try await ServeProcess.start(config: f.topology, db: f.db, listen: "127.0.0.1:\(port)")
    let back = await Self.waitFor(out, within: .seconds(30)) { $0["writable"] as? Bool == true }
    #expect(back?["epoch"] as? Int == 3)

    let demote = try await f.post("/v1/services/orders/demote", #"{"reason": "test"}"#)
    #expect(demote.status < 300, "\(demote.text)")
    let demoted = await Self.waitFor(out) { $0["epoch"] as? Int == 4 }
    #expect(demoted?["writable"] as? Bool == false)
    // The command ran once per change, after the file was written.
    _ = await eventually("the command ran for epoch 4", timeout: .seconds(10), every: .milliseconds(50)) {
      Self.lines(log).count >= 6
    }
    #expect(Self.lines(log) == ["1 true", "2 false", "3 true", "3 false", "3 true", "4 false"])
    watch.process.interrupt()
    #expect(await Failoverctl.wait(watch.process, within: .seconds(10)) == 0)
    _ = await f.stop()
  }

  @Test func anUnknownServiceNoReachableServerAndBadOptionsAreClearErrors() async throws {
    let f = try await ServeFixture.start()
    let unknown = try await Failoverctl.run(["watch", "ordres", "--server", f.server.url], timeout: .seconds(30))
    #expect(unknown.status == 1)
    #expect(
      unknown.stderr.contains(#"watch ordres: unknown service "ordres" (did you mean "orders"?)"#), "\(unknown.stderr)")
    let nowhere = try await Failoverctl.run(
      ["watch", "orders", "--server", "http://127.0.0.1:1,http://127.0.0.1:2", "--initial-timeout", "1"],
      timeout: .seconds(30))
    #expect(nowhere.status == 69)
    #expect(nowhere.stderr.contains("no server answered for orders within 1.0 seconds"), "\(nowhere.stderr)")
    #expect(nowhere.stderr.contains("http://127.0.0.1:1:") && nowhere.stderr.contains("http://127.0.0.1:2:"))
    for bad in [
      ["--server", "127.0.0.1:8080"], ["--server", f.server.url, "--format", "yaml"],
      ["--server", f.server.url, "--signal", "HUP"],
    ] {
      let r = try await Failoverctl.run(["watch", "orders"] + bad, timeout: .seconds(30))
      #expect(r.status == 64, "\(bad): \(r.stderr)")
    }
    let once = try await Failoverctl.run(
      ["watch", "orders", "--server", f.server.url, "--once", "--format", "env"], timeout: .seconds(30))
    #expect(once.status == 0)
    #expect(once.stdout.contains("FAILOVERCTL_EPOCH='1'\n") && once.stdout.contains("FAILOVERCTL_WRITABLE='true'\n"))
    _ = await f.stop()
  }

  /// `fence: {waitForLeases: true}`: the failover of an unreachable source makes the
  /// standby writable no sooner than the lease (and its margin) after the fence.
  @Test func aPolicyThatWaitsForLeasesSwitchesNoSoonerThanTheLeaseAfterTheFence() async throws {
    let policies = try Failoverctl.temporaryDirectory()
    let shipped = try String(
      contentsOf: Failoverctl.packageRoot.appendingPathComponent("policies/active-passive.yaml"), encoding: .utf8)
    let waiting = shipped.replacingOccurrences(of: "  fence: true", with: "  fence: {waitForLeases: true}")
    #expect(waiting != shipped)
    try waiting.write(to: policies.appendingPathComponent("active-passive.yaml"), atomically: true, encoding: .utf8)
    let f = try await ServeFixture.start(serveArguments: ["--policies", policies.path], leaseSeconds: 2)
    let done = try await f.switchOver("/v1/services/orders/failover", #"{"to": "west", "reason": "test"}"#)
    #expect(done.status == .succeeded, "\(done)")
    #expect(done.mode == .forced)
    func step(_ name: FailoverStepName) -> FailoverStep? { done.steps.first { $0.name == name } }
    // At least the lease and its margin; a loaded machine may take a little longer.
    let waited = step(.waitForLeases)?.details.firstMatch(of: /^waited (\d+\.\d) s after the fence/)
    #expect(
      waited.flatMap { Double($0.1) }.map { $0 >= 3.0 } == true, "\(String(describing: step(.waitForLeases)))")
    let fenced = try #require(step(.fenceSource)?.finishedAt)
    let switched = try #require(step(.switchDiscovery)?.finishedAt)
    #expect(switched.timeIntervalSince(fenced) >= 3.0)
    _ = await f.stop()
  }

  static func date(_ value: Any?) -> Date? {
    (value as? String).flatMap { try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse($0) }
  }
}
