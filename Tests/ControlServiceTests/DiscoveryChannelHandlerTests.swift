import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import ControlService

/// The handler on an embedded channel: what reaches Hummingbird (the channel's inbound
/// end) and what the client gets (its outbound end), in order. Synchronous tests: the
/// embedded event loop belongs to the thread that made it.
@Suite("Discovery on the connection: answers in request order, parked polls, streams")
final class DiscoveryChannelHandlerTests {
  let board = DiscoveryBoard()
  let channel = EmbeddedChannel()

  // Nothing stays on the board once a test is done: its timer would call an embedded
  // loop from another thread.
  deinit { board.close() }

  init() throws {
    board.publish(DiscoveryBoardTests.published(epoch: 1))
    let endpoint = DiscoveryEndpoint(
      board: board, auth: BearerAuthMiddleware(authenticator: TokenAuthenticator(tokens: []), role: nil),
      maxWait: .seconds(60), metrics: ServiceMetrics())
    try channel.pipeline.syncOperations.addHandler(DiscoveryChannelHandler(endpoint: endpoint))
  }

  func send(_ path: String, _ headers: HTTPFields = [:]) throws {
    try channel.writeInbound(
      HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: "x", path: path, headerFields: headers)))
    try channel.writeInbound(HTTPRequestPart.end(nil))
  }

  /// What reached the client: each head's status, each body as text.
  func answered() throws -> [String] {
    var out: [String] = []
    while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
      switch part {
      case .head(let h): out.append("\(h.status.code)")
      case .body(let b): out.append(String(buffer: b))
      case .end: out.append("end")
      }
    }
    return out
  }

  /// The paths of the requests Hummingbird was handed.
  func handedOver() throws -> [String] {
    var out: [String] = []
    while let part = try channel.readInbound(as: HTTPRequestPart.self) {
      if case .head(let h) = part { out.append(h.path ?? "") }
    }
    return out
  }

  func hummingbirdAnswers(_ code: HTTPResponse.Status) throws {
    try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: code)))
    try channel.writeOutbound(HTTPResponsePart.end(nil))
  }

  @Test func aPlainRequestIsAnsweredOnTheSpotAndOthersGoOn() throws {
    try send("/v1/services/orders/discovery")
    let a = try answered()
    #expect(a.count == 3 && a[0] == "200" && a[1].contains("\"epoch\":1") && a[2] == "end")
    try send("/v1/services/nope/discovery")
    #expect(try answered().first == "404")
    try send("/v1/status")
    #expect(try handedOver() == ["/v1/status"])
  }

  @Test func aDiscoveryRequestWaitsForTheAnswerHummingbirdStillOwes() throws {
    try send("/v1/status")
    try send("/v1/services/orders/discovery")
    #expect(try handedOver() == ["/v1/status"])
    #expect(try answered().isEmpty)
    try hummingbirdAnswers(.ok)
    let a = try answered()
    #expect(a.prefix(2) == ["200", "end"])
    #expect(a.dropFirst(2).first == "200" && a.last == "end" && a.count == 5)
  }

  @Test func aRequestBehindAParkedLongPollWaitsForItsAnswer() throws {
    try send("/v1/services/orders/discovery?wait=30&epoch=1")
    try send("/v1/status")
    #expect(board.waiting == 1)
    #expect(try handedOver().isEmpty)
    #expect(try answered().isEmpty)
    board.publish(DiscoveryBoardTests.published(epoch: 2, active: "b"))
    channel.embeddedEventLoop.run()
    let a = try answered()
    #expect(a.first == "200" && a[1].contains("\"epoch\":2"))
    #expect(try handedOver() == ["/v1/status"])
    #expect(board.waiting == 0)
  }

  @Test func aStreamResumesAfterLastEventIDAndNeverGoesBack() throws {
    try send("/v1/services/orders/events", [DiscoveryEndpoint.lastEventID: "1"])
    #expect(try answered() == ["200", "retry: 1000\n\n", ": resumed; nothing newer than Last-Event-ID\n\n"])
    board.publish(DiscoveryBoardTests.published(epoch: 3, active: "b"))
    board.publish(DiscoveryBoardTests.published(epoch: 2, active: "a"))  // older: never sent
    channel.embeddedEventLoop.run()
    let events = try answered()
    #expect(events.count == 1 && events[0].hasPrefix("id: 3\nevent: discovery\ndata: {"))
    board.close()
    channel.embeddedEventLoop.run()
    #expect(try answered() == ["end"])
  }

  @Test func aStreamWithoutLastEventIDStartsWithTheDocument() throws {
    try send("/v1/services/orders/events")
    let a = try answered()
    #expect(a.count == 3 && a[1] == "retry: 1000\n\n" && a[2].hasPrefix("id: 1\n"))
    try send("/v1/services/orders/events", [DiscoveryEndpoint.lastEventID: "-1"])  // behind the open stream
    #expect(try answered().isEmpty)
  }

  @Test func aMalformedLastEventIDIsRefused() throws {
    try send("/v1/services/orders/events", [DiscoveryEndpoint.lastEventID: "seven"])
    let a = try answered()
    #expect(a.first == "400" && a[1].contains("Last-Event-ID"))
  }

  @Test func aClientThatGoesAwayLeavesTheBoard() throws {
    try send("/v1/services/orders/discovery?wait=30&epoch=1")
    #expect(board.waiting == 1)
    _ = try channel.finish()
    #expect(board.waiting == 0)
  }
}
