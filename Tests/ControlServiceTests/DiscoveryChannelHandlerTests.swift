import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import ControlService

/// The handler on an embedded channel: what reaches Hummingbird (the channel's inbound
/// end) and what the client gets (its outbound end), in order. Synchronous tests: the
/// embedded event loop belongs to the thread that made it.
@Suite("Discovery on the connection: answers in request order, parked polls, streams")
final class DiscoveryChannelHandlerTests {
  let board = DiscoveryBoard()
  let channel = EmbeddedChannel()
  var reader = HTTPResponseReader()

  // Nothing stays on the board once a test is done: its timer would call an embedded
  // loop from another thread.
  deinit { board.close() }

  static func endpoint(_ board: DiscoveryBoard) -> DiscoveryEndpoint {
    DiscoveryEndpoint(
      board: board, auth: BearerAuthMiddleware(authenticator: TokenAuthenticator(tokens: []), role: nil),
      maxWait: .seconds(60), metrics: ServiceMetrics())
  }

  /// The pipeline `serve` gives a connection, with Hummingbird's side played by the test.
  init() throws {
    board.publish(DiscoveryBoardTests.published(epoch: 1))
    try DiscoveryHTTP1Channel.configure(channel, Self.endpoint(board), attach: nil)
  }

  func send(_ path: String, _ headers: [(String, String)] = [], on channel: EmbeddedChannel? = nil) throws {
    var text = "GET \(path) HTTP/1.1\r\nHost: x\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    try (channel ?? self.channel).writeInbound(ByteBuffer(string: text + "\r\n"))
  }

  /// What reached the client: each answer's status, each body or chunk as text, "end".
  func answered() throws -> [String] {
    var out: [String] = []
    while let io = try channel.readOutbound(as: IOData.self) {
      if case .byteBuffer(let b) = io { out += reader.feed(b) }
    }
    return out
  }

  /// The paths of the requests Hummingbird was handed.
  func handedOver() throws -> [String] {
    var out: [String] = []
    while let part = try channel.readInbound(as: HTTPServerRequestPart.self) {
      if case .head(let h) = part { out.append(h.uri) }
    }
    return out
  }

  func hummingbirdAnswers(_ code: HTTPResponseStatus) throws {
    try channel.writeOutbound(HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: code)))
    try channel.writeOutbound(HTTPServerResponsePart.end(nil))
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
    try send("/v1/services/orders/events", [("Last-Event-ID", "1")])
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
    try send("/v1/services/orders/events", [("Last-Event-ID", "-1")])  // behind the open stream
    #expect(try answered().isEmpty)
  }

  @Test func aMalformedLastEventIDIsRefused() throws {
    try send("/v1/services/orders/events", [("Last-Event-ID", "seven")])
    let a = try answered()
    #expect(a.first == "400" && a[1].contains("Last-Event-ID"))
  }

  @Test func aClientThatGoesAwayLeavesTheBoard() throws {
    try send("/v1/services/orders/discovery?wait=30&epoch=1")
    #expect(board.waiting == 1)
    _ = try channel.finish()
    #expect(board.waiting == 0)
  }

  /// Past its confirmation, an instance lets go of its long-polls (503, not a 304 that
  /// would renew a lease), ends its streams and refuses discovery until confirmed again.
  @Test func aStaleBoardAnswers503AndEndsItsStreamsUntilConfirmedAgain() throws {
    board.confirm(until: .now + .seconds(3600))
    try send("/v1/services/orders/discovery?wait=30&epoch=1")
    #expect(board.waiting == 1)
    let streamChannel = EmbeddedChannel()
    try DiscoveryHTTP1Channel.configure(streamChannel, Self.endpoint(board), attach: nil)
    try send("/v1/services/orders/events", on: streamChannel)
    #expect(board.streaming == 1)
    _ = board.sweep(at: .now + .seconds(7200))  // the confirmation ran out
    channel.embeddedEventLoop.run()
    streamChannel.embeddedEventLoop.run()
    let polled = try answered()
    #expect(polled.first == "503" && polled[1].contains("\"error\":\"stale\""))
    var streamReader = HTTPResponseReader()
    var streamed: [String] = []
    while let io = try streamChannel.readOutbound(as: IOData.self) {
      if case .byteBuffer(let b) = io { streamed += streamReader.feed(b) }
    }
    let streamEnded = streamed.last == "end"
    #expect(streamEnded && board.streaming == 0 && board.waiting == 0)
    try send("/v1/services/orders/discovery")
    #expect(try answered().first == "503")
    board.confirm(until: .now + .seconds(3600))
    try send("/v1/services/orders/discovery")
    #expect(try answered().first == "200")
  }
}
