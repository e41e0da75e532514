import Yams

/// Reading a YAML file into a node tree, with syntax errors as diagnostics at their line:
/// shared by topology and policy files.
package enum YAMLDocument {
  package static func compose(_ yaml: String, file: String) throws(ConfigError) -> Node {
    do {
      guard let node = try Yams.compose(yaml: yaml) else {
        throw ConfigError(
          file: file,
          diagnostics: [.init(file: file, location: .init(line: 1, column: 1), path: "", message: "the file is empty")])
      }
      return node
    } catch let error as ConfigError {
      throw error
    } catch {
      throw ConfigError(file: file, diagnostics: [diagnostic(error, file: file)])
    }
  }

  /// Every diagnostic of `reader`, by line, as one error; nothing when there are none.
  package static func check(_ reader: NodeReader, file: String) throws(ConfigError) {
    guard !reader.diagnostics.isEmpty else { return }
    let sorted = reader.diagnostics.sorted {
      ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column)
    }
    throw ConfigError(file: file, diagnostics: sorted)
  }

  private static func diagnostic(_ error: Error, file: String) -> ConfigDiagnostic {
    func diag(_ mark: Mark, _ problem: String) -> ConfigDiagnostic {
      .init(
        file: file, location: .init(line: mark.line, column: mark.column), path: "", message: "YAML syntax: \(problem)")
    }
    switch error as? YamlError {
    case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
      .composer(_, let problem, let mark, _):
      return diag(mark, problem)
    case .duplicatedKeysInMapping(let duplicates, let context):
      return diag(context.mark, "duplicate key \(duplicates.joined(separator: ", ")) in one mapping")
    default:
      return .init(file: file, location: .init(line: 1, column: 1), path: "", message: "YAML: \(error)")
    }
  }
}
