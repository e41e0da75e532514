import ControlService
import CurlHTTP
import Foundation
import Logging
import Orchestrator
import TestSupport
import Testing
import Topology

@Suite("docs/openapi.yaml and the router")
struct OpenAPIDocumentTests {
  /// The paths and methods of the document, read without a YAML library: the layout of
  /// the `paths:` section is two spaces for a path and four for a method.
  static func documented() throws -> Set<String> {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let text = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
    var inPaths = false
    var path = ""
    var out: Set<String> = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("paths:") {
        inPaths = true
        continue
      }
      if inPaths, let first = line.first, first != " " { break }
      guard inPaths else { continue }
      if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
      for m in ["get", "post", "put", "delete", "patch"] where line == "    \(m):" {
        out.insert("\(m.uppercased()) \(path)")
      }
    }
    return out
  }

  @Test func everyRouteIsDocumentedAndEveryDocumentedRouteIsServed() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let store = try await StateStore.open(path: dir.appendingPathComponent("s.db").path)
    let topology = DiscoveryBoardTests.topology
    let runtime = ControlRuntime(
      topology: topology, store: store, local: store, health: HealthBoard(model: .init(), expected: []),
      http: HTTPClient(maxConcurrentRequests: 1), kafka: InMemoryKafkaClusters(topology.clusters.map(\.name)),
      connect: RecordingConnect(), refresh: ScriptedMM2Refresh(), policies: [:], logger: Logger(label: "test"))
    let api = ControlServer.api(over: runtime)
    let served = Set(api.routes.map { "\($0.method.rawValue) \($0.path)" })
    let documented = try Self.documented()
    #expect(served.subtracting(documented).isEmpty, "served but not documented")
    #expect(documented.subtracting(served).isEmpty, "documented but not served")
    #expect(served.count == api.routes.count)
  }
}
