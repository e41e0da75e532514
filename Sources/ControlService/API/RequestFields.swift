import Foundation
import Hummingbird
import NIOCore
import Orchestrator
import Topology

/// A JSON object body read field by field; problems accumulate so that one answer lists
/// them all, each with its field name.
struct RequestFields {
  private let object: [String: JSONValue]
  private var consumed: Set<String> = []
  private(set) var errors: [FieldError] = []

  /// Reads at most `limit` bytes of the body as a JSON object; an empty body is `{}`.
  static func read(_ request: Request, limit: Int) async throws -> RequestFields {
    let buffer: ByteBuffer
    do {
      buffer = try await request.body.collect(upTo: limit)
    } catch is NIOTooManyBytesError {
      throw APIError(
        status: .contentTooLarge, code: "too-large", message: "request body is larger than \(limit) bytes")
    }
    return try parse(buffer)
  }

  /// A collected body as a JSON object; an empty body is `{}`.
  static func parse(_ buffer: ByteBuffer) throws -> RequestFields {
    if buffer.readableBytes == 0 { return RequestFields(object: [:]) }
    let value: JSONValue
    do {
      value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
    } catch {
      throw APIError.badRequest("request body is not valid JSON: \(Self.describe(error))")
    }
    guard case .object(let object) = value else {
      throw APIError.invalid("request body must be a JSON object, found \(value.typeName)")
    }
    return RequestFields(object: object)
  }

  init(object: [String: JSONValue]) { self.object = object }

  mutating func string(_ key: String, required: Bool = false, maxLength: Int = 1024) -> String? {
    consumed.insert(key)
    switch object[key] {
    case nil:
      if required { errors.append(FieldError(key, "required field is missing")) }
      return nil
    case .string(let s)?:
      // JSON Schema's maxLength counts code points, as a client generated from the document does.
      if s.unicodeScalars.count > maxLength {
        errors.append(FieldError(key, "longer than \(maxLength) characters"))
        return nil
      }
      if required && s.isEmpty {
        errors.append(FieldError(key, "must not be empty"))
        return nil
      }
      return s
    case let other?:
      errors.append(FieldError(key, "expected a string, found \(other.typeName)"))
      return nil
    }
  }

  mutating func bool(_ key: String) -> Bool? {
    consumed.insert(key)
    switch object[key] {
    case nil: return nil
    case .bool(let b)?: return b
    case let other?:
      errors.append(FieldError(key, "expected true or false, found \(other.typeName)"))
      return nil
    }
  }

  /// A positive duration written as the configuration writes them (`90s`, `5m`).
  mutating func duration(_ key: String) -> Duration? {
    guard let s = string(key, maxLength: 32) else { return nil }
    guard let d = DurationText.parse(s), d > .zero else {
      errors.append(FieldError(key, "expected a duration longer than zero such as 90s, 5m or 1h, found \"\(s)\""))
      return nil
    }
    return d
  }

  mutating func oneOf(_ key: String, _ allowed: [String]) -> String? {
    guard let s = string(key) else { return nil }
    guard allowed.contains(s) else {
      errors.append(FieldError(key, "\"\(s)\" is not one of \(allowed.joined(separator: ", "))"))
      return nil
    }
    return s
  }

  /// Reports keys nobody asked for and throws if any field had a problem.
  mutating func finish() throws {
    for key in object.keys.sorted() where !consumed.contains(key) {
      let known = consumed.sorted()
      let hint = suggestion(for: key, among: known).map { " (did you mean \"\($0)\"?)" } ?? ""
      errors.append(FieldError(key, "unknown field\(hint); known fields: \(known.joined(separator: ", "))"))
    }
    if !errors.isEmpty { throw APIError.invalid("invalid request body", fields: errors) }
  }

  private static func describe(_ error: Error) -> String {
    if case DecodingError.dataCorrupted(let context) = error {
      return (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
        ?? context.debugDescription
    }
    return "\(error)"
  }
}
