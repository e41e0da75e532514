import Foundation
import TestSupport
import Testing

@Suite("failoverctl config validate, as a user runs it")
struct ConfigValidateTests {
  @Test func goodFileIsValidWithASummary() async throws {
    let example = Failoverctl.packageRoot.appendingPathComponent("examples/topology.yaml").path
    let r = try await Failoverctl.run(["config", "validate", example])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("valid"))
    #expect(r.stdout.contains("services: 2"))
  }

  @Test func badFileListsEveryErrorWithItsLineAndExitsOne() async throws {
    let bad = Failoverctl.packageRoot.appendingPathComponent("Tests/OrchestratorTests/Fixtures/bad-topology.yaml").path
    let r = try await Failoverctl.run(["config", "validate", bad])
    #expect(r.status == 1)
    let errorLines = r.stderr.split(separator: "\n").filter { $0.contains("bad-topology.yaml:") && $0.contains(": ") }
    #expect(errorLines.count >= 10, "\(r.stderr)")
    #expect(r.stderr.contains("bad-topology.yaml:7:13: clusters[0].region: unknown region \"esat\""))
    #expect(r.stderr.contains("did you mean \"bootstrapServers\""))
  }

  @Test func jsonOutputCarriesLocatedErrors() async throws {
    let bad = Failoverctl.packageRoot.appendingPathComponent("Tests/OrchestratorTests/Fixtures/bad-topology.yaml").path
    let r = try await Failoverctl.run(["config", "validate", bad, "--output", "json"])
    #expect(r.status == 1)
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    #expect(json?["valid"] as? Bool == false)
    let errors = json?["errors"] as? [[String: Any]] ?? []
    #expect(errors.contains { ($0["path"] as? String) == "clusters[0].region" })
  }

  @Test func anActiveActiveServiceWithoutItsReverseFlowOrWithAnUnknownRegionIsRefusedWithLines() async throws {
    let bad = Failoverctl.packageRoot.appendingPathComponent("Tests/OrchestratorTests/Fixtures/bad-active-active.yaml")
      .path
    let r = try await Failoverctl.run(["config", "validate", bad])
    #expect(r.status == 1)
    #expect(
      r.stderr.contains(
        "bad-active-active.yaml:20:16: services[0].clusters[0]: no flow replicates west-kafka -> east-kafka"),
      "\(r.stderr)")
    #expect(
      r.stderr.contains(
        "bad-active-active.yaml:24:17: services[0].homes[1].region: unknown region \"wset\"; did you mean \"west\"?"),
      "\(r.stderr)")
  }

  @Test func missingFileExits66() async throws {
    let r = try await Failoverctl.run(["config", "validate", "/no/such/topology.yaml"])
    #expect(r.status == 66)
    #expect(r.stderr.contains("/no/such/topology.yaml"))
  }

  @Test func unresolvableSecretsAreReportedOnRequest() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let file = dir.appendingPathComponent("t.yaml")
    let example = try String(
      contentsOf: Failoverctl.packageRoot.appendingPathComponent("examples/topology.yaml"), encoding: .utf8)
    try example.write(to: file, atomically: true, encoding: .utf8)
    let r = try await Failoverctl.run(["config", "validate", file.path, "--resolve-secrets"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("EAST_KAFKA_PASSWORD"))
  }
}

@Suite("failoverctl policy validate, as a user runs it")
struct PolicyValidateTests {
  @Test func shippedPoliciesAreValidAndTyposAreNamed() async throws {
    let ok = try await Failoverctl.run([
      "policy", "validate", Failoverctl.packageRoot.appendingPathComponent("policies/manual-approval.yaml").path,
    ])
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(ok.stdout.contains("approval: manual"))
    let dir = try Failoverctl.temporaryDirectory()
    let bad = dir.appendingPathComponent("p.yaml").path
    try "trigger:\n  any:\n    - clusterUnreachable: {for: 10s}\nguards:\n  aproval: manual\n".write(
      toFile: bad, atomically: true, encoding: .utf8)
    let r = try await Failoverctl.run(["policy", "validate", bad])
    #expect(r.status == 1)
    #expect(r.stderr.contains("p.yaml:5:3: guards.aproval: unknown key; did you mean \"approval\"?"))
    let missing = try await Failoverctl.run(["policy", "validate", dir.appendingPathComponent("none.yaml").path])
    #expect(missing.status == 66)
  }
}
