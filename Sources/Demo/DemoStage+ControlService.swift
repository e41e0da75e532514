import ControlService
import ControlServiceClient
import Foundation
import KafkaLab
import Logging
import Orchestrator
import Topology

/// The control service's configuration, and the service itself in this process.
extension DemoStage {
  /// What the control service runs on: its policies' directory, its topology file and the
  /// operator token's secret.
  struct Configuration {
    let policies: URL
    let topology: String
    let secret: String
  }

  /// Writes the topology (the lab's, 1 s probes with `extraProbes`, and an operator token
  /// made for this run) beside the scenario's policy, which `Demo.run` wrote.
  func writeConfiguration(controlPlane: ControlPlaneSettings? = nil, extraProbes: String = "") throws
    -> Configuration
  {
    let policies = settings.policiesDirectory
    let secret = TokenAuthenticator.newSecret()
    let file = settings.work.appendingPathComponent("topology.yaml").path
    try
      (lab.topologyYAML(connectBase: labURL, controlPlane: controlPlane) + """

        probes:
          interval: 1s
          timeout: 1s
        \(extraProbes)api:
          tokens:
            - {name: demo, role: operator, sha256: \(TokenAuthenticator.hexDigest(of: secret))}

        """).write(toFile: file, atomically: true, encoding: .utf8)
    return Configuration(policies: policies, topology: file, secret: secret)
  }

  /// Writes the configuration and starts the control service on it in this process; a
  /// client of it with the operator's token.
  func startControlService(policy: DemoPolicy) async throws -> ControlClient {
    let configuration = try writeConfiguration()
    var logger = Logger(label: "failoverctl")
    logger.logLevel = ProcessInfo.processInfo.environment["DEMO_DEBUG"] != nil ? .info : .error
    let server = try await ControlServer.prepare(
      config: configuration.topology, db: settings.database, host: "127.0.0.1", port: 0,
      policiesDirectory: configuration.policies.path, logger: logger)
    let (urls, found) = AsyncStream<String>.makeStream()
    let serving = Task { try await server.run(handlesSignals: false) { found.yield($0) } }
    var listening = urls.makeAsyncIterator()
    guard let url = await listening.next() else {
      serving.cancel()
      throw DemoError("the control service did not start")
    }
    keepServer(serving)
    say(
      "control service at \(url), policy \(policy.name) (policies/\(policy.name).yaml with "
        + policy.overrides.map { "\($0.path) \($0.value)" }.joined(separator: ", ")
        + "), 1 s probes; state in \(settings.database)")
    say(
      "  operator token for this run: \(configuration.secret) (e.g. failoverctl status --server \(url) --token ...)")
    return ControlClient(server: url, token: configuration.secret)
  }
}
