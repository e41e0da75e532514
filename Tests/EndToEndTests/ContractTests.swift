import Foundation
import TestSupport
import Testing

/// The server against its document: schemathesis (PyPI, installed by `make deps`) reads
/// docs/openapi.yaml, generates requests (valid and invalid) for every operation with an
/// admin token, and checks every answer: status documented, body as the schema says, no
/// 5xx, invalid input refused, valid input accepted. Bounded for CI; bench/contract.sh
/// runs many more examples.
@Suite("The API against docs/openapi.yaml (schemathesis)", .serialized)
struct ContractTests {
  static var schemathesis: URL { Failoverctl.packageRoot.appendingPathComponent(".venv-clients/bin/schemathesis") }

  @Test func everyOperationHoldsToTheDocument() async throws {
    try #require(
      FileManager.default.isExecutableFile(atPath: Self.schemathesis.path),
      "no \(Self.schemathesis.path): run `make deps` (it installs schemathesis into .venv-clients)")
    // Long-polls end within a second: generated waits must not hold the run.
    let f = try await ServeFixture.start(apiSettings: "  maxWait: 1s\n")
    let root = Failoverctl.packageRoot
    let run = try Failoverctl.start(
      [
        "--config-file", root.appendingPathComponent("scripts/contract/schemathesis.toml").path, "run",
        root.appendingPathComponent("docs/openapi.yaml").path, "--url", f.server.url, "-H",
        "Authorization: Bearer \(ServeFixture.tokens["admin"]!)", "--checks", "all", "--max-examples", "15",
        // The event stream never ends by design: ServeEventsTests covers it.
        "--exclude-path", "/v1/services/{name}/events", "--request-timeout", "10", "--suppress-health-check", "all",
        "--seed", "1", "--no-color",
      ], environment: ["NO_COLOR": "1"], executable: Self.schemathesis)
    async let output = Failoverctl.readAll(run.stdout)
    async let errors = Failoverctl.readAll(run.stderr)
    let status = await Failoverctl.wait(run.process, within: .seconds(300))
    let text = await output + (await errors)
    let summary = text.split(separator: "\n").filter { $0.contains("generated") || $0.contains("failure") }
    print("contract: " + summary.joined(separator: " | "))
    #expect(status == 0, "\(text.suffix(6000))")
    _ = await f.stop()
  }
}
