import Foundation

/// A reference to a secret inside a configuration value: `${env:NAME}` or
/// `${file:/path}`. The topology keeps the reference; only the moment of connecting
/// resolves it, so a resolved secret is never written to disk or shown.
public struct SecretReference: Sendable, Equatable, CustomStringConvertible {
  public enum Provider: String, Sendable, CaseIterable {
    case env, file
  }

  public let provider: Provider
  public let argument: String

  public var description: String { "${\(provider.rawValue):\(argument)}" }

  public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
  }

  public struct ResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reference: String
    public let reason: String
    public var description: String { "cannot resolve \(reference): \(reason)" }
  }

  /// Every reference in `value`, or a syntax error (unknown provider, unterminated `${`).
  public static func references(in value: String) throws(SyntaxError) -> [SecretReference] {
    var found: [SecretReference] = []
    var rest = Substring(value)
    while let start = rest.range(of: "${") {
      guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
        throw SyntaxError(
          message:
            "unterminated secret reference \"\(rest[start.lowerBound...])\"; expected ${env:NAME} or ${file:PATH}")
      }
      let body = rest[start.upperBound..<end]
      guard let colon = body.firstIndex(of: ":") else {
        throw SyntaxError(
          message: "secret reference \"${\(body)}\" has no provider; expected ${env:NAME} or ${file:PATH}")
      }
      let name = String(body[..<colon])
      let argument = String(body[body.index(after: colon)...])
      guard let provider = Provider(rawValue: name) else {
        throw SyntaxError(message: "unknown secret provider \"\(name)\" in \"${\(body)}\"; expected env or file")
      }
      guard !argument.isEmpty else {
        throw SyntaxError(message: "secret reference \"${\(body)}\" names nothing after \"\(name):\"")
      }
      found.append(SecretReference(provider: provider, argument: argument))
      rest = rest[rest.index(after: end)...]
    }
    return found
  }

  /// `value` with every reference replaced by the secret it names.
  public static func resolve(
    _ value: String, environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> String {
    var result = value
    for reference in try references(in: value) {
      result = result.replacingOccurrences(of: reference.description, with: try reference.resolve(environment))
    }
    return result
  }

  public func resolve(_ environment: [String: String]) throws(ResolutionError) -> String {
    switch provider {
    case .env:
      guard let value = environment[argument] else {
        throw ResolutionError(reference: description, reason: "environment variable \(argument) is not set")
      }
      return value
    case .file:
      guard let data = FileManager.default.contents(atPath: argument) else {
        throw ResolutionError(reference: description, reason: "file \(argument) does not exist or is not readable")
      }
      // Secret files usually end with a newline that is not part of the secret.
      return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }
  }

  /// Whether a client property must be withheld from anything shown to clients or logs.
  public static func isSensitive(key: String, value: String) -> Bool {
    if value.contains("${") { return true }
    let k = key.lowercased()
    return ["password", "secret", "jaas", "token", "credential", "ssl.key", "private"].contains { k.contains($0) }
  }
}
