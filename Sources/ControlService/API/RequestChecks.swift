import Foundation
import NIOCore
import NIOHTTP1
import Orchestrator
import Topology

/// Everything that decodes what a client sends, in one call for the fuzzer
/// (fuzz/RequestBody, `make fuzz`): the first byte picks an admin request body (read as
/// the routes read theirs) or a discovery request (the target on the first line, headers
/// on the next ones). Whatever the bytes, the answer is a decision or an error, never a crash.
public enum RequestChecks {
  public static func check(_ bytes: [UInt8]) {
    guard let first = bytes.first else { return }
    let rest = Array(bytes.dropFirst())
    if first % 2 == 0 { body(rest) } else { discovery(rest) }
  }

  static func body(_ bytes: [UInt8]) {
    guard var fields = try? RequestFields.parse(ByteBuffer(bytes: bytes)) else { return }
    _ = fields.string("to", required: true, maxLength: 256)
    _ = fields.oneOf("mode", SwitchMode.allCases.map(\.rawValue))
    _ = fields.bool("dryRun")
    _ = fields.string("reason", maxLength: 1000)
    _ = fields.string("region", maxLength: 256)
    try? fields.finish()
  }

  static func discovery(_ bytes: [UInt8]) {
    let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
    var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: String(lines.first ?? ""))
    // Header names as NIO's decoder delivers them: HTTP tokens (it refuses anything else).
    for line in lines.dropFirst() {
      let parts = line.split(separator: ":", maxSplits: 1)
      if parts.count == 2, !parts[0].isEmpty, parts[0].utf8.allSatisfy(isTokenByte) {
        head.headers.add(name: String(parts[0]), value: String(parts[1]))
      }
    }
    guard let route = DiscoveryEndpoint.route(head) else { return }
    _ = endpoint.decide(route, head)
  }

  static func isTokenByte(_ b: UInt8) -> Bool {
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
      || "!#$%&'*+-.^_`|~".utf8.contains(b)
  }

  /// A board that serves one service, `orders`.
  static let endpoint: DiscoveryEndpoint = {
    let topology = Topology(
      regions: [Region(name: "r")], clusters: [Cluster(name: "a", region: "r", bootstrapServers: "a:9092")],
      flows: [], services: [Service(name: "orders", primary: "a", standbys: [], topics: ["orders"])])
    let board = DiscoveryBoard()
    let state = ServiceState(
      service: "orders", activeCluster: "a", epoch: 3, state: .stable, writable: true, updatedAt: Date())
    board.publish(
      PublishedDiscovery(DiscoveryDocument(service: topology.services[0], state: state, topology: topology)))
    return DiscoveryEndpoint(
      board: board, auth: BearerAuthMiddleware(authenticator: TokenAuthenticator(tokens: []), role: nil),
      maxWait: .seconds(1), metrics: ServiceMetrics())
  }()
}
