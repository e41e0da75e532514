import ArgumentParser
import ControlService
import Foundation

struct TokenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token", abstract: "Make API tokens and the SHA-256 digests the topology's api.tokens wants.",
    subcommands: [New.self, Hash.self])

  struct New: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print a new random token and the api.tokens entry for it.",
      discussion: "Give the token to its user; put only the entry (its SHA-256) in the topology.")

    @Option(help: "The token's name, as the audit log will show it.") var name: String
    @Option(help: "viewer, operator or admin.") var role: String = "viewer"

    func validate() throws {
      guard ["viewer", "operator", "admin"].contains(role) else {
        throw ValidationError("--role must be viewer, operator or admin")
      }
    }

    func run() async throws {
      let secret = TokenAuthenticator.newSecret()
      print("token: \(secret)")
      print("")
      print("api:")
      print("  tokens:")
      print("    - name: \(name)")
      print("      role: \(role)")
      print("      sha256: \(TokenAuthenticator.hexDigest(of: secret))")
    }
  }

  struct Hash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the SHA-256 of a token read from standard input (one line).")

    func run() async throws {
      guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        printError("expected the token on standard input")
        throw ExitCode(1)
      }
      print(TokenAuthenticator.hexDigest(of: line))
    }
  }
}
