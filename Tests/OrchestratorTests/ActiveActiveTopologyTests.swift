import Foundation
import Orchestrator
import Testing
import Topology

@Suite("Active-active topology: clusters, homes per client region, flows both ways")
struct ActiveActiveTopologyTests {
  static let base = """
    version: 1
    regions:
      - name: east
      - name: west
      - name: central
    clusters:
      - name: e
        region: east
        bootstrapServers: e:9092
      - name: w
        region: west
        bootstrapServers: w:9092
      - name: w2
        region: west
        bootstrapServers: w2:9092
    flows:
      - source: e
        target: w
      - source: w
        target: e

    """

  func diagnostics(_ yaml: String) -> [ConfigDiagnostic] {
    do {
      _ = try TopologyLoader.parse(yaml: yaml, file: "aa.yaml")
      return []
    } catch {
      return error.diagnostics
    }
  }

  @Test func homesDefaultToTheServicesClusterInEachRegion() throws {
    let t = try TopologyLoader.parse(
      yaml: Self.base + """
        services:
          - name: orders
            mode: active-active
            clusters: [e, w]
            homes:
              - region: east
                consumerGroups: [app-east]
            topics: [orders]
            consumerGroups: [shared]
        """, file: "aa.yaml")
    let s = try #require(t.service("orders"))
    #expect(s.homes.map(\.region) == ["east", "west"])
    #expect(s.homes.map(\.cluster) == ["e", "w"])
    #expect(t.lanes.map(\.name) == ["orders@east", "orders@west"])
    #expect(t.service("orders@east")?.consumerGroups == ["app-east", "shared"])
    #expect(t.service("orders@west")?.consumerGroups == ["shared"])
    // Written back, it reads the same.
    let again = try TopologyLoader.parse(yaml: TopologyWriter.yaml(t, header: "x"), file: "again.yaml")
    #expect(again.lanes.map(\.name) == t.lanes.map(\.name))
    #expect(again.service("orders@east")?.consumerGroups == ["app-east", "shared"])
  }

  @Test func aMissingReverseFlowIsRefusedWithItsLine() {
    let yaml =
      Self.base.replacingOccurrences(of: "  - source: w\n    target: e\n", with: "")
        + """
        services:
          - name: orders
            mode: active-active
            clusters: [e, w]
            topics: [orders]
        """
    let found = diagnostics(yaml)
    #expect(
      found.contains {
        $0.location.line == 22 && $0.path == "services[0].clusters[0]"
          && $0.message.contains("no flow replicates w -> e")
      }, "\(found.map(\.description))")
  }

  @Test func anUnknownRegionAHomeOffTheServiceAndAnAmbiguousRegionAreRefusedWithTheirLines() {
    let yaml =
      Self.base + """
        services:
          - name: orders
            mode: active-active
            clusters: [e, w, w2]
            homes:
              - region: north
              - region: east
                cluster: w
                peers: [e, x]
            topics: [orders]
        """
    let found = diagnostics(yaml)
    func has(_ line: Int, _ path: String, _ text: String) -> Bool {
      found.contains { $0.location.line == line && $0.path == path && $0.message.contains(text) }
    }
    let all = found.map(\.description).joined(separator: "\n")
    #expect(has(26, "services[0].homes[0].region", "unknown region \"north\""), "\(all)")
    // A home may be in another region (a region without a cluster of its own).
    #expect(!found.contains { $0.path.hasPrefix("services[0].homes[1].cluster") }, "\(all)")
    #expect(has(29, "services[0].homes[1].peers[1]", "\"x\" is not a cluster of orders"), "\(all)")
    #expect(has(24, "services[0].clusters", "region west holds 2 clusters of orders (w, w2): name its home"), "\(all)")
    // w2 has no flows at all: refused too, at its place in the list.
    #expect(has(24, "services[0].clusters[2]", "no flow replicates e -> w2"), "\(all)")
  }

  @Test func clustersAndHomesAreForActiveActiveOnly() {
    let found = diagnostics(
      Self.base + """
        services:
          - name: orders
            clusters: [e, w]
            homes:
              - region: east
            topics: [orders]
        """)
    #expect(found.contains { $0.path == "services[0].clusters" && $0.message.contains("for active-active services") })
    #expect(found.contains { $0.path == "services[0].homes" && $0.message.contains("homes are for active-active") })
  }
}
