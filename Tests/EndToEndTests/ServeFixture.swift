import ControlService
import CurlHTTP
import Foundation
import Orchestrator
import TestSupport

/// A lab, a topology with three tokens (one per role) and a running `failoverctl serve`.
struct ServeFixture: Sendable {
  static let tokens = ["viewer": "viewer-secret", "operator": "operator-secret", "admin": "admin-secret"]

  let dir: URL
  let topology: String
  let db: String
  /// The `lab up` process; nil when the regions run in the test process.
  let lab: Failoverctl.Running?
  var server: ServeProcess
  let http = HTTPClient(maxConcurrentRequests: 64)

  /// - Parameter serveArguments: more options for the first `serve` (a coordinated
  ///   topology needs `--region`).
  ///   - leaseSeconds: every service's discovery lease, when not the default.
  ///   - labArguments: more options for `lab up` (`--mirror`).
  ///   - apiSettings: more keys of the `api:` section, each line indented by two spaces.
  ///   - environment: more environment of the first `serve` (failpoints).
  ///   - editTopology: changes the lab's topology before the server reads it.
  static func start(
    extraTopology: String = "", serveArguments: [String] = [], leaseSeconds: Int? = nil, labArguments: [String] = [],
    apiSettings: String = "", environment: [String: String] = [:],
    editTopology: @Sendable (String) -> String = { $0 }
  ) async throws -> ServeFixture {
    let dir = try Failoverctl.temporaryDirectory()
    let topology = dir.appendingPathComponent("lab.yaml").path
    let lab = try await Failoverctl.startLab(topologyOut: topology, extra: labArguments)
    var yaml = editTopology(try String(contentsOfFile: topology, encoding: .utf8))
    if let leaseSeconds {
      yaml = yaml.replacingOccurrences(
        of: "    policy: \"active-passive\"\n",
        with: "    policy: \"active-passive\"\n    leaseSeconds: \(leaseSeconds)\n")
    }
    yaml +=
      "\nprobes:\n  interval: 1s\n  timeout: 1s\n"
      + tokensYAML.replacingOccurrences(of: "api:\n", with: "api:\n" + apiSettings)
    yaml += extraTopology
    try yaml.write(toFile: topology, atomically: true, encoding: .utf8)
    let db = dir.appendingPathComponent("state.db").path
    let server = try await ServeProcess.start(config: topology, db: db, extra: serveArguments, environment: environment)
    return ServeFixture(dir: dir, topology: topology, db: db, lab: lab, server: server)
  }

  /// The `api:` section with one token per role, by digest.
  static var tokensYAML: String {
    "api:\n  tokens:\n"
      + tokens.sorted(by: { $0.key < $1.key }).map { role, secret in
        "    - {name: \(role)-bot, role: \(role), sha256: \(TokenAuthenticator.hexDigest(of: secret))}\n"
      }.joined()
  }

  func headers(_ role: String?) -> [HTTPHeader] {
    guard let role, let secret = Self.tokens[role] else { return [] }
    return [HTTPHeader("Authorization", "Bearer \(secret)")]
  }

  func get(_ path: String, as role: String? = nil, headers extra: [HTTPHeader] = [], timeout: Duration = .seconds(10))
    async throws -> HTTPResponse
  {
    try await http.get(server.url + path, headers: headers(role) + extra, timeout: timeout)
  }

  func post(_ path: String, _ body: String, as role: String? = "operator") async throws -> HTTPResponse {
    try await http.send(
      HTTPRequest(
        method: .post, url: server.url + path,
        headers: headers(role) + [HTTPHeader("Content-Type", "application/json")],
        body: Array(body.utf8), timeout: .seconds(10)))
  }

  /// Polls a failover until it is no longer running; returns it.
  /// The service's discovery document, decoded as the API's own type.
  func discovery(_ service: String) async throws -> DiscoveryDocument {
    try JSONCoding.decoder().decode(
      DiscoveryDocument.self, from: Data(try await get("/v1/services/\(service)/discovery").body))
  }

  /// `/v1/failovers?service=NAME`, newest first, decoded as the API's own type.
  func failovers(of service: String) async throws -> [FailoverRecord] {
    struct List: Decodable { let failovers: [FailoverRecord] }
    return try decoded(try await get("/v1/failovers?service=\(service)", as: "viewer"), as: List.self).failovers
  }

  /// `/v1/drills?service=NAME`, newest first, decoded as the API's own type.
  func drills(of service: String) async throws -> [DrillRecord] {
    struct List: Decodable { let drills: [DrillRecord] }
    return try decoded(try await get("/v1/drills?service=\(service)", as: "viewer"), as: List.self).drills
  }

  /// `/v1/recoveries/ID`, decoded as the API's own type.
  func recovery(_ id: Int64) async throws -> RecoveryRecord {
    try decoded(try await get("/v1/recoveries/\(id)", as: "viewer"), as: RecoveryRecord.self)
  }

  /// `/v1/services/NAME/divergence`, decoded as the API's own type.
  func divergence(_ service: String) async throws -> DivergenceView {
    try decoded(try await get("/v1/services/\(service)/divergence", as: "viewer"), as: DivergenceView.self)
  }

  /// `/v1/status`, decoded as the API's own type.
  func status() async throws -> StatusView {
    try JSONCoding.decoder().decode(StatusView.self, from: Data(try await get("/v1/status", as: "viewer").body))
  }

  /// Long-polls the server holds now (its gauge on /metrics).
  func longPollsWaiting() async throws -> Int {
    let text = try await get("/metrics").text
    guard
      let line = text.split(separator: "\n").first(where: {
        $0.hasPrefix("kafka_failover_discovery_long_polls_waiting ")
      }),
      let value = Double(line.split(separator: " ").last ?? "")
    else { return -1 }
    return Int(value)
  }

  /// The failover once it has ended (neither running nor pending).
  func finished(_ id: some BinaryInteger) async throws -> FailoverRecord {
    var record: FailoverRecord?
    let ended = try await eventually("failover \(id) ends", timeout: .seconds(30)) {
      record = try decoded(try await get("/v1/failovers/\(id)", as: "viewer"), as: FailoverRecord.self)
      return ![.running, .pending].contains(record?.status)
    }
    guard ended, let record else { throw ServeError(message: "failover \(id) still running after 30 s") }
    return record
  }

  /// Promotes (or fails over) and waits for the failover to end; returns it.
  func switchOver(_ path: String, _ body: String, as role: String = "operator") async throws -> FailoverRecord {
    let r = try await post(path, body, as: role)
    guard r.status == 202, let id = (try? decoded(r, as: SwitchOutcome.self))?.failover?.id else {
      throw ServeError(message: "\(path): \(r.status) \(r.text)")
    }
    return try await finished(id)
  }

  /// Stops the server and the lab; returns the server's exit status and standard error.
  func stop() async -> (status: Int32, stderr: String) {
    let result = await server.stop()
    if let lab {
      lab.process.interrupt()
      _ = await Failoverctl.wait(lab.process)
    }
    return result
  }
}

/// A discovery answer decoded as the API's own type.
func document(_ r: HTTPResponse) throws -> DiscoveryDocument {
  try JSONCoding.decoder().decode(DiscoveryDocument.self, from: Data(r.body))
}

/// An answer as the API's own type.
func decoded<T: Decodable>(_ r: HTTPResponse, as type: T.Type) throws -> T {
  try JSONCoding.decoder().decode(T.self, from: Data(r.body))
}

func json(_ r: HTTPResponse) throws -> [String: Any] {
  guard let object = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else {
    throw ServeError(message: "not a JSON object: \(r.text)")
  }
  return object
}
