/// The `api:` section of the topology: who may call the control service, and how.
///
/// Tokens are configured by the SHA-256 of their secret, so the file (often kept in git)
/// never holds a credential; `failoverctl token new` makes a token and prints its digest.
public struct APISettings: Sendable, Equatable {
  public var tokens: [APIToken] = []
  /// When true, discovery needs a `viewer` token like the rest of the API.
  public var discoveryRequiresToken = false
  /// Largest request body accepted, in bytes.
  public var maxBodyBytes = 64 * 1024
  /// Longest long-poll a client may ask for with `?wait=`.
  public var maxWait: Duration = .seconds(60)
  /// Largest request head (request line and headers), in bytes: beyond it, 431.
  public var maxHeaderBytes = 16 * 1024
  /// Open connections at once: a connection beyond it is answered 503 and closed.
  public var maxConnections = 20_000
  /// Long-polls and event streams one client address may hold at once: beyond it, 429.
  public var maxWaitsPerClient = 1_000

  public init() {}
}

/// What a token may do; each role includes the ones before it.
public enum APIRole: String, Sendable, Equatable, Comparable, CaseIterable, Codable {
  /// Reads: status, topology, failovers, audit.
  case viewer
  /// Also promote, demote, acknowledge, abort and resume failovers.
  case `operator`
  /// Everything.
  case admin

  private var rank: Int { Self.allCases.firstIndex(of: self)! }
  public static func < (a: APIRole, b: APIRole) -> Bool { a.rank < b.rank }
}

public struct APIToken: Sendable, Equatable {
  /// Who the token belongs to, as written in the audit log.
  public var name: String
  public var role: APIRole
  /// SHA-256 of the token's secret, 32 bytes.
  public var sha256: [UInt8]

  public init(name: String, role: APIRole, sha256: [UInt8]) {
    self.name = name
    self.role = role
    self.sha256 = sha256
  }

  /// Parses 64 hexadecimal digits.
  public static func digest(hex: String) -> [UInt8]? {
    let chars = Array(hex.utf8)
    guard chars.count == 64 else { return nil }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(32)
    for i in stride(from: 0, to: 64, by: 2) {
      guard let hi = hexValue(chars[i]), let lo = hexValue(chars[i + 1]) else { return nil }
      bytes.append(hi << 4 | lo)
    }
    return bytes
  }

  private static func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
    default: nil
    }
  }
}
