/// An HTTP method libcurl is asked to use.
public enum HTTPMethod: String, Sendable {
  case get = "GET"
  case head = "HEAD"
  case post = "POST"
  case put = "PUT"
  case delete = "DELETE"
  case patch = "PATCH"
}

public struct HTTPHeader: Sendable, Equatable {
  public let name: String
  public let value: String
  public init(_ name: String, _ value: String) {
    self.name = name
    self.value = value
  }
}

/// How the peer's certificate is checked. Verification is on unless switched off.
public struct TLSOptions: Sendable, Equatable {
  public var verifyPeer: Bool
  public var verifyHost: Bool
  /// A PEM bundle of trusted CAs instead of the system store.
  public var caFile: String?
  /// A PEM client certificate and its key, for mutual TLS.
  public var clientCertificateFile: String?
  public var clientKeyFile: String?

  public init(
    verifyPeer: Bool = true, verifyHost: Bool = true, caFile: String? = nil,
    clientCertificateFile: String? = nil, clientKeyFile: String? = nil
  ) {
    self.verifyPeer = verifyPeer
    self.verifyHost = verifyHost
    self.caFile = caFile
    self.clientCertificateFile = clientCertificateFile
    self.clientKeyFile = clientKeyFile
  }
}

public struct HTTPRequest: Sendable {
  public var method: HTTPMethod
  public var url: String
  public var headers: [HTTPHeader]
  public var body: [UInt8]?
  /// Time allowed to establish the connection (TCP and TLS).
  public var connectTimeout: Duration
  /// Time allowed for the whole transfer, connection included.
  public var timeout: Duration
  public var tls: TLSOptions
  /// Whether to follow redirects (at most 5).
  public var followRedirects: Bool

  public init(
    method: HTTPMethod = .get, url: String, headers: [HTTPHeader] = [], body: [UInt8]? = nil,
    connectTimeout: Duration = .seconds(2), timeout: Duration = .seconds(5), tls: TLSOptions = TLSOptions(),
    followRedirects: Bool = false
  ) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
    self.connectTimeout = connectTimeout
    self.timeout = timeout
    self.tls = tls
    self.followRedirects = followRedirects
  }
}

public struct HTTPResponse: Sendable {
  public let status: Int
  public let headers: [HTTPHeader]
  public let body: [UInt8]
  /// Wall time of the transfer as libcurl measured it.
  public let totalTime: Duration

  public init(status: Int, headers: [HTTPHeader], body: [UInt8], totalTime: Duration) {
    self.status = status
    self.headers = headers
    self.body = body
    self.totalTime = totalTime
  }

  /// The first header of that name, compared case-insensitively.
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  public var text: String { String(decoding: body, as: UTF8.self) }
}
