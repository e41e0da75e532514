import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Hummingbird's HTTP/1 child channel, discovery first. A connection starts with the
/// HTTP/1 codec and `DiscoveryChannelHandler` only, and no task: Hummingbird's async
/// channel, its connection state handler and the task that runs its router over them are
/// attached the first time the connection asks for another route. A client that only
/// follows discovery (thousands of them) costs its socket and a short pipeline.
struct DiscoveryHTTP1Channel: HTTPChannelHandler {
  struct Connection: ServerChildChannelValue {
    let channel: any Channel
  }
  typealias Value = Connection

  let responder: HTTPChannelHandler.Responder
  let endpoint: DiscoveryEndpoint

  func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Connection> {
    channel.eventLoop.makeCompletedFuture {
      let limits = endpoint.limits
      guard limits.admitConnection() else {
        // Over the bound: answered at once, before reading anything, and closed.
        let channel = channel
        channel.writeAndFlush(Self.tooManyConnections).whenComplete { _ in channel.close(promise: nil) }
        return Connection(channel: channel)
      }
      channel.closeFuture.whenComplete { _ in limits.connectionClosed() }
      try Self.configure(channel, endpoint) { channel in try attach(channel, logger: logger) }
      return Connection(channel: channel)
    }
  }

  static let tooManyConnections: ByteBuffer = {
    let body =
      #"{"error":"too-many-connections","message":"this server holds as many connections as it may (api.maxConnections); try again or another instance"}"#
    return ByteBuffer(
      string:
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
        + "Retry-After: 1\r\nConnection: close\r\n\r\n" + body)
  }()

  /// The pipeline a connection starts with, on its event loop: the bytes writer next to
  /// the socket, NIO's HTTP/1 codec as Hummingbird configures it, the discovery handler.
  /// Hummingbird's conversion to HTTPTypes comes with the router (`attach`).
  static func configure(
    _ channel: any Channel, _ endpoint: DiscoveryEndpoint, attach: ((any Channel) throws -> Void)?
  ) throws {
    let bytes = ResponseBytes()
    try channel.pipeline.syncOperations.addHandler(bytes)
    var headerLimits = NIOHTTPDecoderLimitConfiguration()
    headerLimits.maxHeaderFieldSize = endpoint.limits.maxHeaderBytes
    headerLimits.maxHeaderListSize = endpoint.limits.maxHeaderBytes
    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
      withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: false,
      withEncoderConfiguration: .init(), withDecoderLimitConfiguration: headerLimits)
    try channel.pipeline.syncOperations.addHandler(
      DiscoveryChannelHandler(endpoint: endpoint, bytes: bytes, attach: attach))
  }

  /// Nothing: the connection holds no task until it needs the router (`attach`).
  func handle(value: Connection, logger: Logger) async {}

  /// On the connection's event loop, before its first request for the router is handed on.
  private func attach(_ channel: any Channel, logger: Logger) throws {
    try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
    try channel.pipeline.syncOperations.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
    let asyncChannel = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
      wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
    // Not a child of the server's task group: the connection owns it, and it ends when the
    // connection closes (Hummingbird's own loop, as its HTTP/1 channel runs it).
    Task { await handleHTTP(asyncChannel: asyncChannel, logger: logger) }
  }
}
