import CurlHTTP
import Foundation

/// Why a call to the control service failed: the service could not be reached, it
/// refused the request (with its status and message), or it answered something else.
public struct ControlClientError: Error, Sendable, CustomStringConvertible {
  public enum Code: Sendable, Equatable {
    case unreachable
    /// The HTTP status of a refusal.
    case refused(Int)
    case undecodable
  }

  public let code: Code
  public let server: String
  /// The message to print: the service's own, with each field's problem.
  public let message: String

  init(_ code: Code, server: String, _ message: String) {
    self.code = code
    self.server = server
    self.message = message
  }

  init(refusal response: HTTPResponse, server: String) {
    let body = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body))
    var message = body?.message ?? "HTTP \(response.status)"
    for f in body?.fields ?? [] { message += "\n  \(f.field): \(f.message)" }
    self.init(.refused(response.status), server: server, message)
  }

  public var description: String { message }

  /// The API's error body.
  struct ErrorBody: Decodable {
    struct Field: Decodable {
      let field: String
      public let message: String
    }
    let error: String
    public let message: String
    let fields: [Field]?
  }
}
