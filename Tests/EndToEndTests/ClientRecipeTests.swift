import Foundation
import TestSupport
import Testing

/// The Python recipe of docs/clients.md, run as written: confluent-kafka (PyPI, with its
/// own librdkafka, a second Kafka client implementation) follows the service's event
/// stream through a planned switchover of a mirrored lab, on librdkafka's mock clusters and
/// on Tansu (a broker this project did not write).
@Suite("Client recipes against a lab", .serialized)
struct ClientRecipeTests {
  static var python: URL { Failoverctl.packageRoot.appendingPathComponent(".venv-clients/bin/python") }
  static var recipe: URL { Failoverctl.packageRoot.appendingPathComponent("examples/clients/python") }

  @Test(arguments: ["mock", "tansu"])
  func thePythonRecipeFollowsAPlannedSwitchoverAndLosesNothing(broker: String) async throws {
    try #require(
      FileManager.default.isExecutableFile(atPath: Self.python.path),
      "no \(Self.python.path): run `make deps` (it installs confluent-kafka into .venv-clients)")
    let f = try await ServeFixture.start(labArguments: ["--mirror", "--broker", broker])
    let ready = f.dir.appendingPathComponent("ready").path
    let client = try Failoverctl.start(
      [
        Self.recipe.appendingPathComponent("switchover_check.py").path, f.server.url, "orders", "orders-processor",
        "--seconds", "10", "--ready", ready,
      ], executable: Self.python)
    defer { if client.process.isRunning { client.process.terminate() } }
    // Read both outputs from the start, off the cooperative pool: a client blocked on a
    // full pipe would never exit.
    async let stdout = Failoverctl.readAll(client.stdout)
    async let stderr = Failoverctl.readAll(client.stderr)
    for _ in 0..<600 where !FileManager.default.fileExists(atPath: ready) && client.process.isRunning {
      try await Task.sleep(for: .milliseconds(50))
    }
    try await Task.sleep(for: .seconds(3))
    let moved = try await f.switchOver("/v1/services/orders/promote", #"{"to": "west", "reason": "recipe"}"#)
    #expect(moved.status == .succeeded, "\(moved)")
    let status = await Failoverctl.wait(client.process, within: .seconds(90))
    let summaryText = await stdout
    let errText = await stderr
    print("python recipe through a planned switchover on \(broker): \(summaryText)")
    #expect(status == 0, "\(summaryText)\n\(errText)")
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(summaryText.utf8)) as? [String: Any], "\(summaryText) \(errText)")
    #expect(summary["lost"] as? Int == 0)
    #expect((summary["acknowledged"] as? Int ?? 0) > 100)
    #expect(summary["clusterAfter"] as? String == "west" && summary["epochAfter"] as? Int == 3)
    // The consumer group moved once: from east (epoch 1) to west (epoch 3).
    #expect(summary["consumerEpochs"] as? [Int] == [1, 3])
    _ = await f.stop()
  }
}
