import NIOCore

/// The first handler of a discovery-first connection, next to the socket. What the
/// discovery handler sends through it reaches the socket as it is: HTTP/1.1 encoded once
/// per document (`PublishedDiscovery`), not again per request by the HTTP encoders that
/// Hummingbird's answers go through. Everything else passes by untouched.
final class ResponseBytes: ChannelOutboundHandler, RemovableChannelHandler {
  typealias OutboundIn = IOData
  typealias OutboundOut = IOData

  private var context: ChannelHandlerContext?

  func handlerAdded(context: ChannelHandlerContext) { self.context = context }
  func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

  /// Queues bytes for the socket; `flush` sends what is queued in one write.
  func emit(_ bytes: ByteBuffer) {
    context?.write(wrapOutboundOut(.byteBuffer(bytes)), promise: nil)
  }

  /// Sends what is queued; with `thenClose`, closes the connection once it is written.
  func flush(thenClose: Bool = false) {
    guard let context else { return }
    guard thenClose else { return context.flush() }
    let channel = context.channel
    let written = context.eventLoop.makePromise(of: Void.self)
    written.futureResult.whenComplete { _ in channel.close(promise: nil) }
    // An empty write carries the promise: it completes once everything before it is out.
    context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer())), promise: written)
  }
}
