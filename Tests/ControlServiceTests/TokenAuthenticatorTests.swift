import ControlService
import Orchestrator
import Testing
import Topology

@Suite("Bearer tokens by SHA-256")
struct TokenAuthenticatorTests {
  @Test func aTokenIsKnownByItsDigestOnly() throws {
    // SHA-256("abc"), the FIPS 180-2 example.
    #expect(
      TokenAuthenticator.hexDigest(of: "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    let tokens = [
      APIToken(name: "ci", role: .operator, sha256: APIToken.digest(hex: TokenAuthenticator.hexDigest(of: "s1"))!),
      APIToken(name: "dash", role: .viewer, sha256: APIToken.digest(hex: TokenAuthenticator.hexDigest(of: "s2"))!),
    ]
    let auth = TokenAuthenticator(tokens: tokens)
    #expect(auth.authenticate(bearer: "s1") == Principal(name: "ci", role: .operator))
    #expect(auth.authenticate(bearer: "s2") == Principal(name: "dash", role: .viewer))
    #expect(auth.authenticate(bearer: "s3") == nil)
    #expect(auth.authenticate(bearer: "") == nil)
    #expect(TokenAuthenticator.newSecret() != TokenAuthenticator.newSecret())
    #expect(TokenAuthenticator.newSecret().count == 64)
  }

  @Test func rolesAreOrdered() {
    #expect(APIRole.viewer < .operator)
    #expect(APIRole.operator < .admin)
    #expect(APIToken.digest(hex: "zz") == nil)
    #expect(APIToken.digest(hex: String(repeating: "g", count: 64)) == nil)
  }

  @Test func theApiSectionIsValidatedWithLinesAndFields() throws {
    let yaml = """
      version: 1
      regions: [{name: r}]
      clusters: [{name: c, region: r, bootstrapServers: "h:1"}]
      api:
        discoveryRequiresToken: yes
        tokens:
          - {name: a, role: operater, sha256: abc}
          - {name: a, role: viewer, sha256: \(String(repeating: "0", count: 64))}
        maxWiat: 10s
      """
    #expect(throws: ConfigError.self) { try TopologyLoader.parse(yaml: yaml, file: "t.yaml") }
    do {
      _ = try TopologyLoader.parse(yaml: yaml, file: "t.yaml")
    } catch {
      let text = "\(error)"
      #expect(text.contains("t.yaml:7"))
      #expect(text.contains("api.tokens[0].role"))
      #expect(text.contains("did you mean \"operator\""))
      #expect(text.contains("api.tokens[0].sha256"))
      #expect(text.contains("duplicate token name \"a\""))
      #expect(text.contains("maxWait"))
    }
  }
}
