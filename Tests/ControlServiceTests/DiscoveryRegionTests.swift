import Foundation
import NIOHTTP1
import Orchestrator
import Testing
import Topology

@testable import ControlService

/// Discovery of an active-active service answers per client region; an active-passive
/// one ignores the region.
@Suite("Discovery by region")
struct DiscoveryRegionTests {
  static let topology = Topology(
    regions: [Region(name: "east"), Region(name: "west")],
    clusters: [
      Cluster(name: "e", region: "east", bootstrapServers: "e:9092"),
      Cluster(name: "w", region: "west", bootstrapServers: "w:9092"),
    ],
    flows: [Flow(source: "e", target: "w"), Flow(source: "w", target: "e")],
    services: [
      Service(
        name: "orders", mode: .activeActive, primary: "e", standbys: ["w"], topics: ["orders"],
        homes: [RegionHome(region: "east", cluster: "e"), RegionHome(region: "west", cluster: "w")]),
      Service(name: "payments", primary: "e", standbys: ["w"], topics: ["payments"]),
    ])

  static func endpoint() -> DiscoveryEndpoint {
    let board = DiscoveryBoard()
    for lane in topology.lanes {
      let state = ServiceState(
        service: lane.name, activeCluster: lane.primary, epoch: 1, state: .stable, writable: true, updatedAt: Date())
      board.publish(PublishedDiscovery(DiscoveryDocument(service: lane, state: state, topology: topology)))
    }
    return DiscoveryEndpoint(
      board: board, auth: BearerAuthMiddleware(authenticator: TokenAuthenticator(tokens: []), role: nil),
      maxWait: .seconds(1), metrics: ServiceMetrics())
  }

  static func decide(_ uri: String) -> DiscoveryEndpoint.Decision {
    let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: uri)
    return endpoint().decide(DiscoveryEndpoint.route(head)!, head)
  }

  static func document(_ uri: String) -> DiscoveryDocument? {
    if case .document(let p, _) = decide(uri) { return p.document }
    return nil
  }

  static func refusal(_ uri: String) -> (Int, String)? {
    guard case .answer(let a) = decide(uri) else { return nil }
    return (Int(a.status.code), String(buffer: a.body ?? .init()))
  }

  @Test func eachRegionGetsItsHomeWithItsLocalTopicAndTheRemoteCopies() throws {
    let east = try #require(Self.document("/v1/services/orders/discovery?region=east"))
    #expect(east.region == "east" && east.service == "orders" && east.active.cluster == "e")
    #expect(east.topics.produce == ["orders"] && east.topics.consume == ["orders", "w.orders"])
    let west = try #require(Self.document("/v1/services/orders/discovery?epoch=1&region=west"))
    #expect(west.active.cluster == "w" && west.topics.consume == ["orders", "e.orders"])
  }

  @Test func withoutARegionOrWithAnUnknownOneTheAnswerIs400WithTheRegions() throws {
    let (status, body) = try #require(Self.refusal("/v1/services/orders/discovery"))
    #expect(status == 400 && body.contains("region-required") && body.contains("east, west"), "\(body)")
    let (s2, b2) = try #require(Self.refusal("/v1/services/orders/events?region=wset"))
    #expect(s2 == 400 && b2.contains("unknown region") && b2.contains("did you mean \\\"west\\\""), "\(b2)")
  }

  @Test func anActivePassiveServiceIgnoresTheRegion() throws {
    let doc = try #require(Self.document("/v1/services/payments/discovery?region=west"))
    #expect(doc.region == nil && doc.active.cluster == "e")
    let (status, _) = try #require(Self.refusal("/v1/services/nothing/discovery?region=east"))
    #expect(status == 404)
  }

  @Test func aStreamFollowsTheRegionsLane() {
    guard case .stream(let lane, _) = Self.decide("/v1/services/orders/events?region=west") else {
      Issue.record("not a stream")
      return
    }
    #expect(lane == "orders@west")
  }
}

/// Which lane an admin action moves, and how a wrong region is refused.
@Suite("The region of an admin action")
struct ActionRegionTests {
  static let topology = DiscoveryRegionTests.topology

  static func refusal(_ service: String, _ region: String?) -> String? {
    do {
      _ = try ServiceActionRoutes.lane(of: service, region: region, in: topology)
      return nil
    } catch {
      return error.fields.first.map { "\($0.field): \($0.message)" }
    }
  }

  @Test func anActiveActiveServiceNeedsOneOfItsRegionsAndOthersNone() throws {
    #expect(try ServiceActionRoutes.lane(of: "orders", region: "east", in: Self.topology) == "orders@east")
    #expect(try ServiceActionRoutes.lane(of: "orders@west", region: nil, in: Self.topology) == "orders@west")
    #expect(try ServiceActionRoutes.lane(of: "payments", region: nil, in: Self.topology) == "payments")
    #expect(try ServiceActionRoutes.lane(of: "nothing", region: "east", in: Self.topology) == "nothing")
    #expect(Self.refusal("orders", nil)?.contains("required") == true)
    #expect(Self.refusal("orders", nil)?.contains("one of east, west") == true)
    #expect(Self.refusal("orders", "wset")?.contains("did you mean \"west\"") == true)
    #expect(Self.refusal("payments", "east")?.contains("no client regions") == true)
    #expect(Self.refusal("orders@east", "west")?.contains("no client regions") == true)
  }
}
