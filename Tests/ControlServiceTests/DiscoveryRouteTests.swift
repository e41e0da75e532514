import NIOHTTP1
import Testing

@testable import ControlService

@Suite("Which requests the discovery handler answers")
struct DiscoveryRouteTests {
  static func route(_ path: String, _ method: HTTPMethod = .GET) -> DiscoveryEndpoint.Route? {
    DiscoveryEndpoint.route(HTTPRequestHead(version: .http1_1, method: method, uri: path))
  }

  @Test func discoveryAndEventsOfOneServiceAndNothingElse() {
    #expect(Self.route("/v1/services/orders/discovery") == .discovery(service: "orders"))
    #expect(Self.route("/v1/services/orders/discovery?wait=30&epoch=2") == .discovery(service: "orders"))
    #expect(Self.route("/v1/services/orders/events") == .events(service: "orders"))
    #expect(Self.route("/v1/services/a.b_c-1/events?x=/discovery") == .events(service: "a.b_c-1"))
    for other in [
      "/v1/services//discovery", "/v1/services/a/b/discovery", "/v1/services/discovery", "/v1/services/x/discoveryx",
      "/v1/services/x/discovery/", "/v1/status", "/v2/services/x/discovery", "/v1/services/x/promote",
    ] {
      #expect(Self.route(other) == nil, "\(other)")
    }
    #expect(Self.route("/v1/services/orders/discovery", .POST) == nil)
  }
}

@Suite("The wait a long-poll asks for")
struct DiscoveryWaitTests {
  @Test func secondsOrANumberAndAUnitAndNothingElse() {
    #expect(DiscoveryEndpoint.parseWait("30") == .seconds(30))
    #expect(DiscoveryEndpoint.parseWait("30s") == .seconds(30))
    #expect(DiscoveryEndpoint.parseWait("1.5s") == .milliseconds(1500))
    #expect(DiscoveryEndpoint.parseWait("1500ms") == .milliseconds(1500))
    #expect(DiscoveryEndpoint.parseWait("2m") == .seconds(120))
    for bad in ["", "1.5", "-1", "1e3s", "0x10s", "nan", "inf s", "2 s", "30x", "１２", "1234567890", ".5s", "5.s"] {
      #expect(DiscoveryEndpoint.parseWait(bad) == nil, "\(bad)")
    }
  }
}
