/// A place in a configuration file, 1-based as editors show it.
public struct SourceLocation: Sendable, Equatable, Codable, CustomStringConvertible {
  public let line: Int
  public let column: Int
  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }
  public var description: String { "\(line):\(column)" }
}

/// One problem in a configuration file: where, which field, what was expected.
public struct ConfigDiagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
  public let file: String
  public let location: SourceLocation
  /// The field path, e.g. `clusters[1].region`.
  public let path: String
  public let message: String

  public init(file: String, location: SourceLocation, path: String, message: String) {
    self.file = file
    self.location = location
    self.path = path
    self.message = message
  }

  public var description: String {
    path.isEmpty ? "\(file):\(location): \(message)" : "\(file):\(location): \(path): \(message)"
  }
}

/// A configuration file that cannot be used, with every problem found in it.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
  /// What kind of problem: every one of these is a file that reads but does not validate
  /// (`ConfigReadError` is one that cannot be read), named for scripts and the API.
  public static let code = "invalid-config"
  public let file: String
  public let diagnostics: [ConfigDiagnostic]

  public init(file: String, diagnostics: [ConfigDiagnostic]) {
    self.file = file
    self.diagnostics = diagnostics
  }

  public var description: String {
    let noun = diagnostics.count == 1 ? "error" : "errors"
    return "\(file): \(diagnostics.count) \(noun)\n" + diagnostics.map(\.description).joined(separator: "\n")
  }
}

/// A configuration file that could not be read at all (missing, unreadable, not UTF-8).
public struct ConfigReadError: Error, Sendable, CustomStringConvertible {
  public let file: String
  public let reason: String
  public init(file: String, reason: String) {
    self.file = file
    self.reason = reason
  }
  public var description: String { "\(file): cannot read: \(reason)" }
}
