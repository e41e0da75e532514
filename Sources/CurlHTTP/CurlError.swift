import CCurl

/// A transfer that failed before an HTTP status was received, with libcurl's code, its
/// standard text and the more specific detail libcurl wrote for this transfer.
public struct CurlError: Error, Sendable, CustomStringConvertible {
  public let code: Int32
  public let message: String
  public let detail: String
  public let url: String

  init(_ code: CURLcode, detail: String, url: String) {
    self.code = Int32(code.rawValue)
    self.message = String(cString: curl_easy_strerror(code))
    self.detail = detail
    self.url = url
  }

  public var kind: Kind {
    switch CURLcode(UInt32(code)) {
    case CURLE_OPERATION_TIMEDOUT: .timedOut
    case CURLE_COULDNT_CONNECT: .connectionRefused
    case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .unresolvable
    case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
      CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CIPHER:
      .tls
    case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: .invalidURL
    default: .transfer
    }
  }

  public enum Kind: Sendable, Equatable {
    case timedOut, connectionRefused, unresolvable, tls, invalidURL, transfer
  }

  public var description: String {
    detail.isEmpty ? "\(url): \(message)" : "\(url): \(message): \(detail)"
  }
}
