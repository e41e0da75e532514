/// One sample of a Prometheus text exposition page.
public struct PrometheusSample: Sendable, Equatable {
  public let name: String
  public let labels: [String: String]
  public let value: Double
  /// Milliseconds since the epoch, when the page gives one.
  public let timestamp: Int64?
}

/// A parsed page: its samples and the HELP and TYPE lines of its metric families.
public struct PrometheusPage: Sendable, Equatable {
  public var samples: [PrometheusSample] = []
  public var help: [String: String] = [:]
  public var types: [String: String] = [:]

  /// Samples of `name` whose labels include every given label with the given value.
  public func select(_ name: String, labels: [String: String] = [:]) -> [PrometheusSample] {
    samples.filter { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }
  }
}

/// A page that is not valid exposition text, with the line (1-based) and what was wrong.
public struct PrometheusParseError: Error, Sendable, Equatable, CustomStringConvertible {
  public let line: Int
  public let message: String
  public var description: String { "line \(line): \(message)" }
}

/// Parser of the Prometheus text exposition format (version 0.0.4): HELP and TYPE lines,
/// label values with `\\`, `\"` and `\n` escapes, NaN and ±Inf, optional timestamps.
public enum PrometheusText {
  static let types: Set<String> = ["counter", "gauge", "histogram", "summary", "untyped"]

  public static func parse(_ text: String) throws(PrometheusParseError) -> PrometheusPage {
    var page = PrometheusPage()
    var number = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      number += 1
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      let trimmed = line.drop { $0 == " " || $0 == "\t" }
      if trimmed.isEmpty { continue }
      if trimmed.first == "#" {
        try comment(trimmed.dropFirst(), line: number, into: &page)
        continue
      }
      var scanner = Scanner(Array(trimmed.utf8), line: number)
      page.samples.append(try scanner.sample())
    }
    return page
  }

  private static func comment(_ body: Substring, line: Int, into page: inout PrometheusPage)
    throws(PrometheusParseError)
  {
    let words = body.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
    guard let keyword = words.first, keyword == "HELP" || keyword == "TYPE" else { return }  // a plain comment
    guard words.count >= 2 else { throw PrometheusParseError(line: line, message: "\(keyword) without a metric name") }
    let name = String(words[1])
    guard isMetricName(name) else { throw PrometheusParseError(line: line, message: "invalid metric name \"\(name)\"") }
    let rest = words.count > 2 ? String(words[2]) : ""
    if keyword == "HELP" {
      page.help[name] = unescapeHelp(rest)
    } else {
      guard types.contains(rest) else {
        throw PrometheusParseError(line: line, message: "unknown metric type \"\(rest)\" for \(name)")
      }
      page.types[name] = rest
    }
  }

  private static func unescapeHelp(_ s: String) -> String {
    var out = ""
    var escaped = false
    for ch in s {
      if escaped {
        out.append(ch == "n" ? "\n" : ch)
        escaped = false
      } else if ch == "\\" {
        escaped = true
      } else {
        out.append(ch)
      }
    }
    return out
  }

  static func isMetricName(_ s: String) -> Bool {
    guard let first = s.utf8.first, isNameStart(first) || first == UInt8(ascii: ":") else { return false }
    return s.utf8.allSatisfy { isNameStart($0) || isDigit($0) || $0 == UInt8(ascii: ":") }
  }

  static func isNameStart(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == UInt8(ascii: "_")
  }
  static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}

/// Reads one sample line.
private struct Scanner {
  let bytes: [UInt8]
  let line: Int
  var i = 0

  init(_ bytes: [UInt8], line: Int) {
    self.bytes = bytes
    self.line = line
  }

  func fail(_ message: String) -> PrometheusParseError {
    PrometheusParseError(line: line, message: "\(message) (column \(i + 1))")
  }

  mutating func skipBlanks() {
    while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
  }

  mutating func identifier(allowColon: Bool) -> String {
    let start = i
    while i < bytes.count {
      let c = bytes[i]
      let ok =
        PrometheusText.isNameStart(c) || (i > start && PrometheusText.isDigit(c))
        || (allowColon && c == UInt8(ascii: ":"))
      if !ok { break }
      i += 1
    }
    return String(decoding: bytes[start..<i], as: UTF8.self)
  }

  mutating func sample() throws(PrometheusParseError) -> PrometheusSample {
    let name = identifier(allowColon: true)
    guard !name.isEmpty else { throw fail("expected a metric name") }
    var labels: [String: String] = [:]
    skipBlanks()
    if i < bytes.count, bytes[i] == UInt8(ascii: "{") {
      i += 1
      labels = try labelSet()
    }
    skipBlanks()
    let valueToken = token()
    guard !valueToken.isEmpty else { throw fail("expected a value after \(name)") }
    guard let value = Self.number(valueToken) else { throw fail("\"\(valueToken)\" is not a number") }
    skipBlanks()
    var timestamp: Int64? = nil
    let ts = token()
    if !ts.isEmpty {
      guard let t = Int64(ts) else { throw fail("\"\(ts)\" is not a timestamp in milliseconds") }
      timestamp = t
    }
    skipBlanks()
    guard i == bytes.count else { throw fail("unexpected text after the sample") }
    return PrometheusSample(name: name, labels: labels, value: value, timestamp: timestamp)
  }

  mutating func token() -> String {
    let start = i
    while i < bytes.count, bytes[i] != 0x20, bytes[i] != 0x09 { i += 1 }
    return String(decoding: bytes[start..<i], as: UTF8.self)
  }

  mutating func labelSet() throws(PrometheusParseError) -> [String: String] {
    var labels: [String: String] = [:]
    while true {
      skipBlanks()
      guard i < bytes.count else { throw fail("unterminated label set") }
      if bytes[i] == UInt8(ascii: "}") {
        i += 1
        return labels
      }
      let name = identifier(allowColon: false)
      guard !name.isEmpty else { throw fail("expected a label name") }
      skipBlanks()
      guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("expected = after label \(name)") }
      i += 1
      skipBlanks()
      guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
        throw fail("expected a quoted value for label \(name)")
      }
      i += 1
      var value: [UInt8] = []
      var closed = false
      while i < bytes.count {
        let c = bytes[i]
        i += 1
        if c == UInt8(ascii: "\\") {
          guard i < bytes.count else { break }
          let e = bytes[i]
          i += 1
          switch e {
          case UInt8(ascii: "n"): value.append(0x0a)
          case UInt8(ascii: "\\"), UInt8(ascii: "\""): value.append(e)
          default: throw fail("invalid escape \\\(Character(UnicodeScalar(e))) in label \(name)")
          }
        } else if c == UInt8(ascii: "\"") {
          closed = true
          break
        } else {
          value.append(c)
        }
      }
      guard closed else { throw fail("unterminated value of label \(name)") }
      guard labels[name] == nil else { throw fail("label \(name) given twice") }
      labels[name] = String(decoding: value, as: UTF8.self)
      skipBlanks()
      guard i < bytes.count else { throw fail("unterminated label set") }
      if bytes[i] == UInt8(ascii: ",") {
        i += 1
      } else if bytes[i] != UInt8(ascii: "}") {
        throw fail("expected , or } after label \(name)")
      }
    }
  }

  static func number(_ s: String) -> Double? {
    switch s.lowercased() {
    case "nan": return .nan
    case "+inf", "inf": return .infinity
    case "-inf": return -.infinity
    default: return Double(s)
    }
  }
}
