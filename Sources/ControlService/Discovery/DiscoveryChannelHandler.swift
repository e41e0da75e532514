import HTTPTypes
import NIOCore
import NIOHTTP1
import Topology

/// Serves discovery and event streams on the connection itself, below Hummingbird's
/// per-request task: a plain GET is answered from the board without a task switch, and a
/// long-poll or a stream is parked on the board as a callback, so that a waiting client
/// costs its connection and a dictionary entry, not a suspended request task.
///
/// Every other request goes on to Hummingbird. Answers leave in the order the requests
/// came: a discovery request that arrives while Hummingbird still owes an answer on this
/// connection waits for it, and anything that arrives while a long-poll is parked waits
/// for the long-poll's answer.
final class DiscoveryChannelHandler: ChannelDuplexHandler, RemovableChannelHandler {
  // NIO's own HTTP/1 parts: the conversion to HTTPTypes is Hummingbird's, behind this
  // handler, for the requests it answers only.
  typealias InboundIn = HTTPServerRequestPart
  typealias InboundOut = HTTPServerRequestPart
  typealias OutboundIn = HTTPServerResponsePart
  typealias OutboundOut = HTTPServerResponsePart

  private let endpoint: DiscoveryEndpoint
  /// Where this handler's answers go: straight to the socket.
  private let bytes: ResponseBytes
  private var context: ChannelHandlerContext?

  /// Whose request the parts being read belong to.
  private enum Reading {
    case nothing
    case ours(HTTPRequestHead, DiscoveryEndpoint.Route)
    case theirs
  }
  private var reading = Reading.nothing

  /// An answer this handler still owes on the connection.
  private enum Owing {
    case longPoll(DiscoveryBoard.Ticket?, service: LaneID, ifNoneMatch: String?, close: Bool)
    case stream(DiscoveryBoard.Ticket?, lastSent: Int64)
  }
  private var owing: Owing?

  /// Requests handed to Hummingbird whose answer has not ended yet.
  private var theirsOpen = 0
  /// Parts read but not acted on yet (see the type's note on order).
  private var held = CircularBuffer<HTTPServerRequestPart>()
  /// A client that pipelines this much behind a parked request is not a discovery client.
  static let maxHeld = 256

  /// Adds what the router needs behind this handler, the first time a request is for it;
  /// nil: it is there already.
  private var attach: ((any Channel) throws -> Void)?
  /// The server is shutting down: close once nothing is owed.
  private var quiescing = false
  /// The client address whose long-poll or stream this connection holds a place for.
  private var waitSlot: String?

  /// - Parameter bytes: the pipeline's first handler, next to the socket.
  init(endpoint: DiscoveryEndpoint, bytes: ResponseBytes, attach: ((any Channel) throws -> Void)? = nil) {
    self.endpoint = endpoint
    self.bytes = bytes
    self.attach = attach
  }

  func handlerAdded(context: ChannelHandlerContext) { self.context = context }

  func handlerRemoved(context: ChannelHandlerContext) {
    release()
    self.context = nil
  }

  func channelInactive(context: ChannelHandlerContext) {
    release()
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    held.append(unwrapInboundIn(data))
    guard held.count <= Self.maxHeld else {
      context.close(promise: nil)
      return
    }
    drain(context, inRead: true)
  }

  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    context.write(data, promise: promise)
    guard case .end = unwrapOutboundIn(data) else { return }
    // A parse error is answered for a request never handed over: never below zero.
    theirsOpen = max(0, theirsOpen - 1)
    if theirsOpen == 0 { drain(context, inRead: false) }
  }

  /// Acts on held parts in order until one must wait.
  private func drain(_ context: ChannelHandlerContext, inRead: Bool) {
    var handedOver = false
    while owing == nil, let part = held.first {
      var route: DiscoveryEndpoint.Route? = nil
      if case .head(let head) = part {
        route = DiscoveryEndpoint.route(head)
        if route != nil, theirsOpen > 0 { break }
      }
      held.removeFirst()
      switch (part, reading) {
      case (.head(let head), _):
        if let route {
          reading = .ours(head, route)
        } else {
          if let attach {
            do {
              try attach(context.channel)
              self.attach = nil
            } catch {
              context.close(promise: nil)
              return
            }
          }
          reading = .theirs
          theirsOpen += 1
          context.fireChannelRead(wrapInboundOut(part))
          handedOver = true
        }
      case (.end, .ours(let head, let route)):
        reading = .nothing
        serve(head, route, context)
      case (.body, .ours):
        break  // a GET's body means nothing here
      case (.end, _):
        reading = .nothing
        context.fireChannelRead(wrapInboundOut(part))
        handedOver = true
      case (.body, _):
        context.fireChannelRead(wrapInboundOut(part))
        handedOver = true
      }
    }
    // Hummingbird's channel delivers what it read at the end of a read; parts replayed
    // later (after an answer) need that end too.
    if handedOver && !inRead { context.fireChannelReadComplete() }
    if quiescing && isIdle { context.close(promise: nil) }
  }

  private var isIdle: Bool {
    guard owing == nil, held.isEmpty, theirsOpen == 0 else { return false }
    if case .nothing = reading { return true }
    return false
  }

  /// Until the router is attached, what it would answer is answered here: a request that
  /// does not parse is a 400 and the end of the connection.
  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    guard attach != nil else { return context.fireErrorCaught(error) }
    guard let error = error as? HTTPParserError else { return context.close(promise: nil) }
    release()
    // A head beyond api.maxHeaderBytes is 431; anything else that does not parse, 400.
    let status: HTTPResponse.Status = error == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
    send(DiscoveryEndpoint.Answer(status: status, headers: [.contentLength: "0"], body: nil), close: true, context)
  }

  /// The client's end of the connection closed (the server allows half-closed
  /// connections, for Hummingbird's sake): it will ask nothing more, and a waiting client
  /// that hangs up is gone. Until the router is attached nobody else closes it.
  func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
    guard attach != nil else { return context.fireUserInboundEventTriggered(event) }
    if case ChannelEvent.inputClosed = event {
      release()
      return context.close(promise: nil)
    }
    // A graceful shutdown: an idle connection closes now, a busy one after its answer (the
    // board has answered its long-polls and ended its streams by then).
    guard event is ChannelShouldQuiesceEvent else { return context.fireUserInboundEventTriggered(event) }
    quiescing = true
    if isIdle { context.close(promise: nil) }
  }

  private func serve(_ head: HTTPRequestHead, _ route: DiscoveryEndpoint.Route, _ context: ChannelHandlerContext) {
    let close = !head.isKeepAlive
    switch endpoint.decide(route, head) {
    case .document(let p, let notModified):
      endpoint.count(route, notModified ? .notModified : .ok)
      if close { return send(DiscoveryEndpoint.Answer(p, notModified: notModified), close: true, context) }
      bytes.emit(p.answerBytes(ok: !notModified))
      bytes.flush()
    case .answer(let answer):
      endpoint.count(route, answer.status)
      send(answer, close: close, context)
    case .longPoll(let service, let condition, let timeout, let ifNoneMatch):
      guard takeWaitSlot(context) else {
        let answer = endpoint.tooManyWaits(waitAddress(context))
        endpoint.count(route, answer.status)
        return send(answer, close: close, context)
      }
      owing = .longPoll(nil, service: service, ifNoneMatch: ifNoneMatch, close: close)
      let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
      let parked = endpoint.board.park(service, for: condition, timeout: timeout, on: context.eventLoop) { p in
        bound.value.answered(p)
      }
      switch parked {
      case .answered(let p): answered(p)
      case .parked(let ticket):
        if case .longPoll(nil, let s, let i, let c) = owing {
          owing = .longPoll(ticket, service: s, ifNoneMatch: i, close: c)
        }
      }
    case .stream(let service, let after):
      guard takeWaitSlot(context) else {
        let answer = endpoint.tooManyWaits(waitAddress(context))
        endpoint.count(route, answer.status)
        return send(answer, close: close, context)
      }
      startStream(service, after: after, context)
    }
  }

  private func waitAddress(_ context: ChannelHandlerContext) -> String {
    context.channel.remoteAddress?.ipAddress ?? "unknown"
  }

  private func takeWaitSlot(_ context: ChannelHandlerContext) -> Bool {
    let address = waitAddress(context)
    guard endpoint.limits.admitWait(from: address) else { return false }
    waitSlot = address
    return true
  }

  private func freeWaitSlot() {
    if let waitSlot { endpoint.limits.waitEnded(from: waitSlot) }
    waitSlot = nil
  }

  /// A parked long-poll's answer, on this connection's event loop.
  private func answered(_ p: PublishedDiscovery?) {
    guard case .longPoll(_, let service, let ifNoneMatch, let close) = owing, let context else { return }
    owing = nil
    freeWaitSlot()
    if let p, !close {
      // The document's ready bytes, as for a plain request.
      let notModified = ifNoneMatch.map(p.matches(ifNoneMatch:)) ?? false
      endpoint.count(.discovery(service: service.service), notModified ? .notModified : .ok)
      bytes.emit(p.answerBytes(ok: !notModified))
      bytes.flush()
    } else {
      let answer = endpoint.answer(longPoll: service, with: p, ifNoneMatch: ifNoneMatch)
      endpoint.count(.discovery(service: service.service), answer.status)
      send(answer, close: close, context)
    }
    drain(context, inRead: false)
  }

  private func startStream(_ service: LaneID, after: Int64?, _ context: ChannelHandlerContext) {
    let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
    guard
      let (ticket, now) = endpoint.board.subscribe(
        service, on: context.eventLoop, listener: { event in bound.value.told(event) })
    else {
      // Stopping, or stale since the request was decided: the client tries elsewhere.
      let answer =
        endpoint.stale()
        ?? DiscoveryEndpoint.Answer(
          APIError(status: .serviceUnavailable, code: "stopping", message: "this instance is stopping"))
      endpoint.count(.events(service: service.service), answer.status)
      freeWaitSlot()
      return send(answer, close: true, context)
    }
    endpoint.count(.events(service: service.service), .ok)
    bytes.emit(Self.streamHead)
    bytes.emit(HTTPDate.headerLines)
    bytes.emit(ResponseEncoding.endOfHead)
    // The first bytes come at once, so a client knows the stream is live before any change.
    var lastSent = after ?? -1
    bytes.emit(Self.retry)
    if let now, now.epoch > lastSent {
      bytes.emit(now.eventChunk)
      lastSent = now.epoch
    } else {
      bytes.emit(Self.resumed)
    }
    bytes.flush()
    owing = .stream(ticket, lastSent: lastSent)
  }

  /// An event for this connection's stream, on its event loop.
  private func told(_ event: DiscoveryBoard.StreamEvent) {
    guard case .stream(let ticket, let lastSent) = owing else { return }
    switch event {
    case .document(let p):
      // Ids only grow on a stream: an older state (a replay) is never sent again.
      guard p.epoch > lastSent else { return }
      owing = .stream(ticket, lastSent: p.epoch)
      bytes.emit(p.eventChunk)
      bytes.flush()
    case .heartbeat:
      bytes.emit(Self.heartbeat)
      bytes.flush()
    case .closed:
      owing = nil
      freeWaitSlot()
      bytes.emit(ResponseEncoding.lastChunk)
      bytes.flush(thenClose: true)
    }
  }

  /// Writes a whole answer as HTTP/1.1 bytes: no encoder runs for a document's answers.
  private func send(_ answer: DiscoveryEndpoint.Answer, close: Bool, _ context: ChannelHandlerContext) {
    bytes.emit(answer.encodedHead)
    bytes.emit(HTTPDate.headerLines)
    if close { bytes.emit(ResponseEncoding.connectionClose) }
    bytes.emit(ResponseEncoding.endOfHead)
    if let body = answer.body, body.readableBytes > 0 { bytes.emit(body) }
    bytes.flush(thenClose: close)
  }

  /// The client is gone: its parked long-poll or stream leaves the board.
  private func release() {
    switch owing {
    case .longPoll(let t?, _, _, _), .stream(let t?, _): endpoint.board.cancel(t)
    default: break
    }
    owing = nil
    freeWaitSlot()
  }

  static let streamHead = ResponseEncoding.head(
    .ok,
    [
      .contentType: "text/event-stream", .cacheControl: "no-cache", .transferEncoding: "chunked",
      // Proxies that buffer answers (nginx) would hold events back.
      HTTPField.Name("X-Accel-Buffering")!: "no",
    ])
  static let retry = ResponseEncoding.chunk(ByteBuffer(string: "retry: 1000\n\n"))
  static let resumed = ResponseEncoding.chunk(ByteBuffer(string: ": resumed; nothing newer than Last-Event-ID\n\n"))
  static let heartbeat = ResponseEncoding.chunk(ByteBuffer(string: ": heartbeat\n\n"))
}
