import Orchestrator
import Topology

/// Who made a request: the configured token's name and role.
public struct Principal: Sendable, Equatable {
  public let name: String
  public let role: APIRole

  public init(name: String, role: APIRole) {
    self.name = name
    self.role = role
  }
}

/// Checks bearer tokens against the SHA-256 digests of the configuration.
///
/// The presented token is hashed and compared with every configured digest, without
/// stopping at the first difference or the first match, so the time taken says nothing
/// about how close a guess was or which token matched.
public struct TokenAuthenticator: Sendable {
  let tokens: [APIToken]

  public init(tokens: [APIToken]) { self.tokens = tokens }

  public func authenticate(bearer secret: String) -> Principal? {
    let digest = SHA256.hash(Array(secret.utf8))
    var match: APIToken? = nil
    for token in tokens where Self.constantTimeEqual(digest, token.sha256) {
      match = token
    }
    return match.map { Principal(name: $0.name, role: $0.role) }
  }

  static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for i in a.indices { difference |= a[i] ^ b[i] }
    return difference == 0
  }

  /// The hexadecimal SHA-256 of a token, as the configuration wants it.
  public static func hexDigest(of secret: String) -> String {
    SHA256.hex(SHA256.hash(Array(secret.utf8)))
  }

  /// A new random token: 32 bytes from the system's CSPRNG, hex-encoded.
  public static func newSecret() -> String {
    var generator = SystemRandomNumberGenerator()
    return (0..<32).map { _ in
      let byte = UInt8.random(in: 0...255, using: &generator)
      let s = String(byte, radix: 16)
      return byte < 16 ? "0" + s : s
    }.joined()
  }
}
