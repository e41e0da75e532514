import CurlHTTP
import Foundation
import Orchestrator

/// The one client of the control service for the CLI's commands and the demo: JSON
/// in and out, every failure a `ControlClientError`; `reportFailure` picks the exit code.
public struct ControlClient: Sendable {
  public let server: String
  public let token: String?
  let http = HTTPClient(maxConcurrentRequests: 2)

  public init(server: String, token: String?) {
    self.server = server
    self.token = token
  }

  public func get<T: Decodable>(_ path: String, as type: T.Type, timeout: Duration = .seconds(30)) async throws -> T {
    try decode(try await send(.get, path, body: nil, timeout: timeout), as: T.self)
  }

  public func post<T: Decodable>(_ path: String, body: [String: Any], as type: T.Type) async throws -> T {
    let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    return try decode(try await send(.post, path, body: Array(data), timeout: .seconds(30)), as: T.self)
  }

  private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?, timeout: Duration) async throws
    -> HTTPResponse
  {
    var headers = [HTTPHeader("Accept", "application/json")]
    if let token { headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
    if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
    let response: HTTPResponse
    do {
      response = try await http.send(
        HTTPRequest(
          method: method, url: URLJoin.join(server, path), headers: headers, body: body, timeout: timeout))
    } catch let error as CurlError {
      throw ControlClientError(.unreachable, server: server, "cannot reach the control service at \(server): \(error)")
    }
    guard (200..<300).contains(response.status) else { throw ControlClientError(refusal: response, server: server) }
    return response
  }

  private func decode<T: Decodable>(_ response: HTTPResponse, as type: T.Type) throws -> T {
    do {
      return try JSONCoding.decoder().decode(T.self, from: Data(response.body))
    } catch {
      throw ControlClientError(.undecodable, server: server, "unexpected answer from \(server): \(error)")
    }
  }
}
