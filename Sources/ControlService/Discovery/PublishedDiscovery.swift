import Foundation
import Hummingbird
import NIOCore
import Orchestrator
import Synchronization
import Topology

/// A discovery document encoded once, with its strong ETag, ready to be served as is. A
/// class: every answer passes one around, and a reference is one retain.
public final class PublishedDiscovery: Sendable {
  public let document: DiscoveryDocument
  public let body: ByteBuffer
  /// `"<epoch>-<first 16 hex digits of the body's SHA-256>"`: changes with any byte.
  public let etag: String
  /// The headers of a 200, built once: the hot path only copies them.
  let okHeaders: HTTPFields
  let notModifiedHeaders: HTTPFields
  /// The document as one server-sent event (`id:` its epoch), encoded once for every stream.
  public let event: ByteBuffer
  /// The heads of a 200 and a 304 and the event as a chunk, in HTTP/1.1 bytes.
  let okHead: ByteBuffer
  let notModifiedHead: ByteBuffer
  let eventChunk: ByteBuffer
  /// The whole 200 and 304 answers, for the current second (their `Date` line changes).
  private let whole = Mutex<(second: Int, ok: ByteBuffer, notModified: ByteBuffer)>((-1, ByteBuffer(), ByteBuffer()))
  /// How often a stream of this service hears from the server when nothing changes.
  let heartbeat: Duration

  public init(_ document: DiscoveryDocument) {
    self.document = document
    let bytes = JSONBody.encode(document)
    body = ByteBuffer(bytes: bytes)
    let hex = SHA256.hex(SHA256.hash(bytes).prefix(8))
    etag = "\"\(document.epoch)-\(hex)\""
    okHeaders = [
      .contentType: "application/json", .eTag: etag, .cacheControl: "no-cache", .contentLength: String(bytes.count),
    ]
    // A 304 has no body and says nothing of its length.
    notModifiedHeaders = [.eTag: etag, .cacheControl: "no-cache"]
    okHead = ResponseEncoding.head(.ok, okHeaders)
    notModifiedHead = ResponseEncoding.head(.notModified, notModifiedHeaders)
    // JSONBody writes no line breaks, so the document is one `data:` line.
    event = ByteBuffer(
      string: "id: \(document.epoch)\nevent: discovery\ndata: \(String(decoding: bytes, as: UTF8.self))\n\n")
    eventChunk = ResponseEncoding.chunk(event)
    heartbeat = min(DiscoveryBoard.longestHeartbeat, max(.milliseconds(500), .seconds(document.leaseSeconds) / 3))
  }

  public var epoch: Int64 { document.epoch }

  /// The whole answer, 200 (`ok`) or 304, in HTTP/1.1 bytes: one write.
  func answerBytes(ok: Bool) -> ByteBuffer {
    let (second, dateLines) = HTTPDate.second
    return whole.withLock { w in
      if w.second != second {
        var okBytes = okHead
        okBytes.writeImmutableBuffer(dateLines)
        okBytes.writeImmutableBuffer(ResponseEncoding.endOfHead)
        okBytes.writeImmutableBuffer(body)
        var notModifiedBytes = notModifiedHead
        notModifiedBytes.writeImmutableBuffer(dateLines)
        notModifiedBytes.writeImmutableBuffer(ResponseEncoding.endOfHead)
        w = (second, okBytes, notModifiedBytes)
      }
      return ok ? w.ok : w.notModified
    }
  }

  /// Whether an `If-None-Match` value names this version (a list, `*`, or weak forms).
  public func matches(ifNoneMatch header: String) -> Bool {
    header.split(separator: ",").contains { tag in
      let t = tag.trimmingCharacters(in: .whitespaces)
      return t == "*" || t == etag || t == "W/" + etag
    }
  }
}
