import Foundation
import Orchestrator
import Testing
import Topology

@Suite("Topology loading and validation")
struct TopologyLoaderTests {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  func errors(_ yaml: String) -> [ConfigDiagnostic] {
    do {
      _ = try TopologyLoader.parse(yaml: yaml, file: "t.yaml")
      return []
    } catch {
      return error.diagnostics
    }
  }

  func expectError(
    _ yaml: String, line: Int, path: String, contains text: String,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    let found = errors(yaml)
    #expect(
      found.contains { $0.location.line == line && $0.path == path && $0.message.contains(text) },
      "no error at line \(line), \(path), containing \"\(text)\"; got:\n\(found.map(\.description).joined(separator: "\n"))",
      sourceLocation: sourceLocation)
  }

  static let valid = """
    version: 1
    regions:
      - name: east
      - name: west
    clusters:
      - name: a
        region: east
        bootstrapServers: a1:9092,a2:9092
        properties:
          sasl.password: ${env:A_PASSWORD}
          security.protocol: SASL_SSL
      - name: b
        region: west
        bootstrapServers: b1:9092
    flows:
      - source: a
        target: b
      - source: b
        target: a
        replicationPolicy: identity
    services:
      - name: orders
        primary: a
        standbys: [b]
        topics: [orders]
        consumerGroups: [billing]
    """

  @Test func validTopologyParses() throws {
    let t = try TopologyLoader.parse(yaml: Self.valid, file: "t.yaml")
    #expect(t.regions.map(\.name) == ["east", "west"])
    #expect(t.clusters.map(\.name) == ["a", "b"])
    #expect(t.flows.map(\.name) == ["a->b", "b->a"])
    #expect(t.flows[0].replicationPolicy == .default)
    #expect(t.flows[0].separator == ".")
    #expect(t.flows[0].sourceAlias == "a")
    #expect(t.flows[1].replicationPolicy == .identity)
    #expect(t.services[0].standbys == ["b"])
    // Secret references are kept as written and never shown to clients.
    #expect(t.clusters[0].properties["sasl.password"] == "${env:A_PASSWORD}")
    #expect(t.clusters[0].publicProperties == ["security.protocol": "SASL_SSL"])
  }

  /// MirrorConnectorConfig.offsetSyncsTopic: named after the other cluster than the one that
  /// holds it; read there.
  @Test func offsetSyncsOnTheTargetAreNamedAfterTheSource() throws {
    let yaml = Self.valid.replacingOccurrences(
      of: "  - source: a\n    target: b\n", with: "  - source: a\n    target: b\n    offsetSyncsTopicLocation: target\n"
    )
    let t = try TopologyLoader.parse(yaml: yaml, file: "t.yaml")
    #expect(t.flows[0].offsetSyncsTopic == "mm2-offset-syncs.a.internal")
    #expect(t.flows[0].offsetSyncsCluster == "b")
    #expect(t.flows[1].offsetSyncsTopic == "mm2-offset-syncs.a.internal")
    #expect(t.flows[1].offsetSyncsCluster == "b")
  }

  @Test func shippedExampleIsValid() throws {
    let path = Self.packageRoot.appendingPathComponent("examples/topology.yaml").path
    let loaded = try TopologyLoader.load(path: path)
    #expect(loaded.topology.regions.count == 2)
    #expect(loaded.topology.flows.count == 2)
    #expect(loaded.topology.services.count == 2)
  }

  @Test func unknownKeyIsRejectedWithASuggestion() {
    let yaml = Self.valid.replacingOccurrences(of: "bootstrapServers: b1:9092", with: "bootstrapServer: b1:9092")
    expectError(yaml, line: 14, path: "clusters[1].bootstrapServer", contains: "did you mean \"bootstrapServers\"")
    expectError(yaml, line: 12, path: "clusters[1].bootstrapServers", contains: "required field is missing")
  }

  @Test func unknownRegionAndClusterReferences() {
    let yaml = Self.valid.replacingOccurrences(of: "region: west", with: "region: wset")
      .replacingOccurrences(of: "  - source: b\n    target: a", with: "  - source: c\n    target: a")
    expectError(yaml, line: 13, path: "clusters[1].region", contains: "unknown region \"wset\"; did you mean \"west\"")
    expectError(yaml, line: 18, path: "flows[1].source", contains: "unknown cluster \"c\"")
  }

  @Test func duplicateNames() {
    let yaml = Self.valid.replacingOccurrences(of: "  - name: west", with: "  - name: east")
    expectError(
      yaml, line: 4, path: "regions[1].name", contains: "duplicate region name \"east\" (first defined at line 3)")
  }

  @Test func flowWhoseSourceIsItsTarget() {
    let yaml = Self.valid.replacingOccurrences(of: "  - source: a\n    target: b", with: "  - source: a\n    target: a")
    expectError(yaml, line: 17, path: "flows[0].target", contains: "must differ from its source")
    // and then no flow replicates a -> b for the service
    expectError(yaml, line: 24, path: "services[0].standbys[0]", contains: "no flow replicates a -> b")
  }

  @Test func serviceWithoutAStandby() {
    let yaml = Self.valid.replacingOccurrences(of: "standbys: [b]", with: "standbys: []")
    expectError(yaml, line: 24, path: "services[0].standbys", contains: "at least one standby")
    let missing = Self.valid.replacingOccurrences(of: "    standbys: [b]\n", with: "")
    #expect(errors(missing).contains { $0.path == "services[0].standbys" })
  }

  @Test func badRegex() {
    let yaml = Self.valid.replacingOccurrences(
      of: "    replicationPolicy: identity", with: "    replicationPolicy: identity\n    topics: \"orders(\"")
    expectError(yaml, line: 21, path: "flows[1].topics", contains: "invalid regular expression")
  }

  @Test func badEnumValueSuggestsTheNearestOne() {
    let yaml = Self.valid.replacingOccurrences(of: "replicationPolicy: identity", with: "replicationPolicy: identiy")
    expectError(yaml, line: 20, path: "flows[1].replicationPolicy", contains: "did you mean \"identity\"")
  }

  @Test func badSecretReferenceAndBootstrap() {
    let yaml = Self.valid.replacingOccurrences(of: "${env:A_PASSWORD}", with: "${vault:a}")
      .replacingOccurrences(of: "a1:9092,a2:9092", with: "a1:9092,a2")
    expectError(
      yaml, line: 10, path: "clusters[0].properties.sasl.password", contains: "unknown secret provider \"vault\"")
    expectError(yaml, line: 8, path: "clusters[0].bootstrapServers", contains: "\"a2\" is not host:port")
  }

  @Test func topicNotCoveredByTheFlow() {
    let yaml = Self.valid.replacingOccurrences(of: "    target: b\n", with: "    target: b\n    topics: \"payments\"\n")
    expectError(
      yaml, line: 25, path: "services[0].standbys[0]", contains: "topic \"orders\" is not replicated by flow a->b")
  }

  @Test func yamlSyntaxErrorHasItsLine() {
    let found = errors("regions:\n  - name: east\n clusters: [\n")
    #expect(found.count == 1)
    #expect(found[0].message.hasPrefix("YAML syntax"))
    #expect(found[0].location.line >= 2)
  }

  @Test func everyErrorIsReportedAtOnce() throws {
    let path = Self.packageRoot.appendingPathComponent("Tests/OrchestratorTests/Fixtures/bad-topology.yaml").path
    do {
      _ = try TopologyLoader.load(path: path)
      Issue.record("the bad topology was accepted")
    } catch let error as ConfigError {
      let lines = error.diagnostics.map(\.location.line)
      #expect(lines == lines.sorted())
      #expect(error.diagnostics.count >= 10, "\(error)")
      #expect(error.description.contains("bad-topology.yaml:7:13: clusters[0].region: unknown region \"esat\""))
    }
  }

  @Test func missingFileIsAReadError() {
    #expect(throws: ConfigReadError.self) { try TopologyLoader.load(path: "/nonexistent/topology.yaml") }
  }

  @Test func secretResolution() throws {
    let value = "user=\"app\" password=\"${env:PW}\";"
    #expect(try SecretReference.resolve(value, environment: ["PW": "s3cret"]) == "user=\"app\" password=\"s3cret\";")
    #expect(throws: SecretReference.ResolutionError.self) { try SecretReference.resolve(value, environment: [:]) }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID())").path
    try "from-file\n".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(try SecretReference.resolve("${file:\(file)}") == "from-file")
  }

  @Test func limitsAndLeasesAreReadAndBadValuesNamed() throws {
    let good =
      Self.valid + "\n    leaseSeconds: 5\napi:\n  maxHeaderBytes: 4096\n  maxConnections: 50\n  maxWaitsPerClient: 7\n"
    let t = try TopologyLoader.parse(yaml: good, file: "t.yaml")
    #expect(t.services[0].leaseSeconds == 5)
    #expect(t.api.maxHeaderBytes == 4096 && t.api.maxConnections == 50 && t.api.maxWaitsPerClient == 7)
    let bad = Self.valid + "\n    leaseSeconds: 0\napi:\n  maxHeaderBytes: 10\n  maxWaitsPerClient: 0\n"
    expectError(bad, line: 27, path: "services[0].leaseSeconds", contains: "expected seconds from 1 to 3600, found 0")
    expectError(bad, line: 29, path: "api.maxHeaderBytes", contains: "must be at least 1024")
    expectError(bad, line: 30, path: "api.maxWaitsPerClient", contains: "must be at least 1")
  }
}

@Suite("A flow's canary in the topology")
struct FlowCanaryConfigTests {
  static func topology(_ canary: String, topics: String = ".*") -> String {
    TopologyLoaderTests.valid.replacingOccurrences(
      of: "  - source: a\n    target: b\n",
      with: "  - source: a\n    target: b\n    topics: \"\(topics)\"\n    canary:\n\(canary)")
  }

  @Test func defaultsAndSettingsAreReadAndWrittenBack() throws {
    let t = try TopologyLoader.parse(
      yaml: Self.topology("      interval: 2s\n      timeout: 1m\n"), file: "t.yaml")
    #expect(t.flows[0].canary == FlowCanary(interval: .seconds(2), timeout: .seconds(60)))
    #expect(t.flows[1].canary == nil)
    let again = try TopologyLoader.parse(yaml: TopologyWriter.yaml(t, header: "x"), file: "again.yaml")
    #expect(again.flows[0].canary == t.flows[0].canary)
  }

  @Test func aCanaryTopicTheFlowDoesNotReplicateIsRefusedAtItsLine() {
    let yaml = Self.topology("      topic: probes.canary\n", topics: "orders|payments")
    let found = TopologyLoaderTests().errors(yaml)
    #expect(
      found.contains {
        $0.path == "flows[0].canary.topic" && $0.message.contains("probes.canary is not replicated by this flow")
          && $0.location.line == 20
      }, "\(found.map(\.description))")
    let bad = TopologyLoaderTests().errors(Self.topology("      interval: soon\n"))
    #expect(bad.contains { $0.path == "flows[0].canary.interval" && $0.message.contains("expected a duration") })
  }
}
