import Foundation
import Yams

/// Walks a composed YAML tree, reading typed fields and recording every problem with its
/// line, column and field path instead of stopping at the first one.
///
/// Reading a mapping marks the keys it consumed; `finish` reports the rest as unknown,
/// with the nearest known key as a suggestion, so a typo never passes silently.
package final class NodeReader {
  package let file: String
  package private(set) var diagnostics: [ConfigDiagnostic] = []
  /// Where each value that was read sits in the file, by field path.
  package private(set) var valueLocations: [String: SourceLocation] = [:]

  package func location(of path: String) -> SourceLocation? { valueLocations[path] }
  package func record(_ path: String, _ node: Node) { valueLocations[path] = location(node) }

  package init(file: String) { self.file = file }

  package func location(_ node: Node?) -> SourceLocation {
    guard let mark = node?.mark else { return SourceLocation(line: 1, column: 1) }
    return SourceLocation(line: mark.line, column: mark.column)
  }

  package func error(_ node: Node?, _ path: String, _ message: String) {
    diagnostics.append(ConfigDiagnostic(file: file, location: location(node), path: path, message: message))
  }

  package func error(at location: SourceLocation, _ path: String, _ message: String) {
    diagnostics.append(ConfigDiagnostic(file: file, location: location, path: path, message: message))
  }

  /// A mapping being read; keys are consumed as fields are asked for.
  package final class Mapping {
    package let reader: NodeReader
    package let node: Node
    package let path: String
    private let pairs: [(key: String, keyNode: Node, value: Node)]
    private var consumed: Set<String> = []

    package init?(_ reader: NodeReader, _ node: Node, path: String) {
      guard case .mapping(let m) = node else {
        reader.error(node, path, "expected a mapping (key: value pairs), found \(describe(node))")
        return nil
      }
      self.reader = reader
      self.node = node
      self.path = path
      var pairs: [(String, Node, Node)] = []
      for (k, v) in m {
        guard case .scalar(let s) = k else {
          reader.error(k, path, "keys must be plain strings")
          continue
        }
        pairs.append((s.string, k, v))
      }
      self.pairs = pairs
    }

    package func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    package func value(_ key: String) -> Node? {
      consumed.insert(key)
      let found = pairs.first { $0.key == key }?.value
      if let found { reader.record(child(key), found) }
      return found
    }

    package func keyLocation(_ key: String) -> SourceLocation {
      reader.location(pairs.first { $0.key == key }?.keyNode ?? node)
    }

    package func string(_ key: String, required: Bool = false) -> String? {
      guard let v = value(key) else {
        if required { reader.error(node, child(key), "required field is missing") }
        return nil
      }
      guard case .scalar(let s) = v else {
        reader.error(v, child(key), "expected a string, found \(describe(v))")
        return nil
      }
      if s.style == .plain, ["", "~", "null", "Null", "NULL"].contains(s.string) {
        reader.error(v, child(key), "expected a string, found an empty value")
        return nil
      }
      return s.string
    }

    package func int(_ key: String) -> Int? {
      guard let v = value(key) else { return nil }
      guard case .scalar(let s) = v, let i = Int(s.string) else {
        reader.error(v, child(key), "expected an integer, found \(describe(v))")
        return nil
      }
      return i
    }

    package func bool(_ key: String) -> Bool? {
      guard let v = value(key) else { return nil }
      guard case .scalar(let s) = v, let b = Bool(s.string.lowercased()) else {
        reader.error(v, child(key), "expected true or false, found \(describe(v))")
        return nil
      }
      return b
    }

    /// One of `allowed`; anything else is an error that lists them.
    package func oneOf(_ key: String, _ allowed: [String]) -> String? {
      guard let s = string(key) else { return nil }
      guard allowed.contains(s) else {
        let hint = suggestion(for: s, among: allowed).map { " (did you mean \"\($0)\"?)" } ?? ""
        reader.error(value(key), child(key), "\"\(s)\" is not one of \(allowed.joined(separator: ", "))\(hint)")
        return nil
      }
      return s
    }

    package func stringList(_ key: String) -> [(String, SourceLocation)]? {
      guard let v = value(key) else { return nil }
      if case .scalar = v {
        reader.error(v, child(key), "expected a list, e.g. [a, b]; found a single value")
        return nil
      }
      guard case .sequence(let seq) = v else {
        reader.error(v, child(key), "expected a list, found \(describe(v))")
        return nil
      }
      var out: [(String, SourceLocation)] = []
      for (i, item) in seq.enumerated() {
        guard case .scalar(let s) = item, !s.string.isEmpty else {
          reader.error(item, "\(child(key))[\(i)]", "expected a string, found \(describe(item))")
          continue
        }
        reader.record("\(child(key))[\(i)]", item)
        out.append((s.string, reader.location(item)))
      }
      return out
    }

    /// A mapping of strings to strings, e.g. client properties.
    package func stringMap(_ key: String) -> [String: String]? {
      guard let v = value(key) else { return nil }
      guard case .mapping(let m) = v else {
        reader.error(v, child(key), "expected a mapping of names to values, found \(describe(v))")
        return nil
      }
      var out: [String: String] = [:]
      for (k, val) in m {
        guard case .scalar(let ks) = k else { continue }
        guard case .scalar(let vs) = val else {
          reader.error(val, "\(child(key)).\(ks.string)", "expected a plain value, found \(describe(val))")
          continue
        }
        reader.record("\(child(key)).\(ks.string)", val)
        out[ks.string] = vs.string
      }
      return out
    }

    package func sequence(_ key: String, required: Bool = false) -> [(Node, String)]? {
      guard let v = value(key) else {
        if required { reader.error(node, child(key), "required field is missing") }
        return nil
      }
      guard case .sequence(let seq) = v else {
        reader.error(v, child(key), "expected a list, found \(describe(v))")
        return nil
      }
      return seq.enumerated().map { ($1, "\(child(key))[\($0)]") }
    }

    package func mapping(_ key: String) -> Mapping? {
      guard let v = value(key) else { return nil }
      return Mapping(reader, v, path: child(key))
    }

    /// Reports every key that no field asked for.
    package func finish() {
      let known = Array(consumed).sorted()
      for pair in pairs where !consumed.contains(pair.key) {
        let hint = suggestion(for: pair.key, among: known).map { "; did you mean \"\($0)\"?" } ?? ""
        reader.error(
          pair.keyNode, child(pair.key),
          "unknown key\(hint) (allowed here: \(known.joined(separator: ", ")))")
      }
    }
  }
}

package func describe(_ node: Node) -> String {
  switch node {
  case .scalar(let s): s.string.isEmpty ? "an empty value" : "\"\(s.string)\""
  case .mapping: "a mapping"
  case .sequence: "a list"
  case .alias: "an alias"
  }
}

/// The closest candidate within a small edit distance, for "did you mean" hints; ties go
/// to the alphabetically first, so the hint is the same on every run.
public func suggestion(for word: String, among candidates: [String]) -> String? {
  let scored = candidates.sorted().map { ($0, editDistance(word.lowercased(), $0.lowercased())) }
  guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
  return best.1 <= max(2, word.count / 3) ? best.0 : nil
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of
/// two neighbouring characters each count one, as typos do.
package func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a)
  let b = Array(b)
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
  for i in 0...a.count { d[i][0] = i }
  for j in 0...b.count { d[0][j] = j }
  for i in 1...a.count {
    for j in 1...b.count {
      let cost = a[i - 1] == b[j - 1] ? 0 : 1
      d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
        d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
      }
    }
  }
  return d[a.count][b.count]
}
