import Crypto
import Foundation
import Hummingbird
import NIOCore
import Orchestrator
import Topology

/// A discovery document encoded once, with its strong ETag, ready to be served as is.
public struct PublishedDiscovery: Sendable {
  public let document: DiscoveryDocument
  public let body: ByteBuffer
  /// `"<epoch>-<first 16 hex digits of the body's SHA-256>"`: changes with any byte.
  public let etag: String
  /// The headers of a 200, built once: the hot path only copies them.
  let okHeaders: HTTPFields
  let notModifiedHeaders: HTTPFields

  public init(_ document: DiscoveryDocument) {
    self.document = document
    let bytes = JSONBody.encode(document)
    body = ByteBuffer(bytes: bytes)
    let hex = SHA256.hash(data: bytes).prefix(8).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    etag = "\"\(document.epoch)-\(hex)\""
    okHeaders = [.contentType: "application/json", .eTag: etag, .cacheControl: "no-cache"]
    notModifiedHeaders = [.eTag: etag, .cacheControl: "no-cache"]
  }

  public var epoch: Int64 { document.epoch }

  /// Whether an `If-None-Match` value names this version (a list, `*`, or weak forms).
  public func matches(ifNoneMatch header: String) -> Bool {
    header.split(separator: ",").contains { tag in
      let t = tag.trimmingCharacters(in: .whitespaces)
      return t == "*" || t == etag || t == "W/" + etag
    }
  }
}
