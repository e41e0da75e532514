import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orchestrator
import Topology

/// An error answered as JSON: `{"error": code, "message": ..., "fields": [...]}`.
struct APIError: Error, HTTPResponseError {
  let status: HTTPResponse.Status
  let code: String
  let message: String
  var fields: [FieldError] = []
  var headers: HTTPFields = [:]

  func response(from request: Request, context: some RequestContext) throws -> Response {
    Response(status: status, headers: responseHeaders, body: .init(byteBuffer: body))
  }

  /// `{"error": code, "message": ..., "fields": [...]}`.
  var body: ByteBuffer {
    var body: [String: AnyEncodable] = ["error": AnyEncodable(code), "message": AnyEncodable(message)]
    if !fields.isEmpty { body["fields"] = AnyEncodable(fields) }
    return ByteBuffer(bytes: JSONBody.encode(body))
  }

  var responseHeaders: HTTPFields {
    var h = headers
    h[.contentType] = "application/json"
    return h
  }

  static func unauthorized(_ message: String) -> APIError {
    APIError(
      status: .unauthorized, code: "unauthorized", message: message,
      headers: [.wwwAuthenticate: "Bearer realm=\"failoverctl\""])
  }

  static func forbidden(_ message: String) -> APIError {
    APIError(status: .forbidden, code: "forbidden", message: message)
  }

  static func notFound(_ message: String) -> APIError {
    APIError(status: .notFound, code: "not-found", message: message)
  }

  static func invalid(_ message: String, fields: [FieldError] = []) -> APIError {
    APIError(status: .unprocessableContent, code: "invalid", message: message, fields: fields)
  }

  static func badRequest(_ message: String) -> APIError {
    APIError(status: .badRequest, code: "bad-request", message: message)
  }

  init(status: HTTPResponse.Status, code: String, message: String, fields: [FieldError] = [], headers: HTTPFields = [:])
  {
    self.status = status
    self.code = code
    self.message = message
    self.fields = fields
    self.headers = headers
  }

  init(_ error: ControlError) {
    switch error.kind {
    case .invalid:
      self.init(status: .unprocessableContent, code: "invalid", message: error.message, fields: error.fields)
    case .notFound: self.init(status: .notFound, code: "not-found", message: error.message)
    case .conflict: self.init(status: .conflict, code: "conflict", message: error.message)
    }
  }
}

struct AnyEncodable: Encodable {
  let value: any Encodable
  init(_ value: any Encodable) { self.value = value }
  func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}

/// The server's one JSON style: sorted keys, ISO 8601 dates, no escaped slashes.
enum JSONBody {
  static func encode(_ value: some Encodable) -> [UInt8] {
    let encoder = JSONCoding.encoder()
    // Encoding our own value types cannot fail; an empty object is a safe fallback.
    return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
  }

  static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"],
      body: .init(byteBuffer: ByteBuffer(bytes: encode(value))))
  }
}
