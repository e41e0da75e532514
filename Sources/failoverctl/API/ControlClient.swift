import ArgumentParser
import CurlHTTP
import Foundation

/// Options every command that talks to `failoverctl serve` takes.
struct ServerOptions: ParsableArguments {
  @Option(help: "The control service's URL (default: $FAILOVERCTL_SERVER or http://127.0.0.1:8080).")
  var server: String?
  @Option(help: "A bearer token (default: $FAILOVERCTL_TOKEN).") var token: String?
  @Option(help: "table (text) or json.") var output: OutputFormat = .text

  var client: ControlClient {
    let env = ProcessInfo.processInfo.environment
    return ControlClient(
      server: server ?? env["FAILOVERCTL_SERVER"] ?? "http://127.0.0.1:8080", token: token ?? env["FAILOVERCTL_TOKEN"])
  }
}

/// The API as the CLI uses it: JSON in and out, and every failure turned into a message
/// and one of the documented exit codes.
struct ControlClient: Sendable {
  let server: String
  let token: String?
  let http = HTTPClient(maxConcurrentRequests: 2)

  func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
    try decode(try await send(.get, path, body: nil), as: T.self)
  }

  func post<T: Decodable>(_ path: String, body: [String: Any], as type: T.Type) async throws -> T {
    let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
    return try decode(try await send(.post, path, body: Array(data)), as: T.self)
  }

  private func send(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> HTTPResponse {
    var headers = [HTTPHeader("Accept", "application/json")]
    if let token { headers.append(HTTPHeader("Authorization", "Bearer \(token)")) }
    if body != nil { headers.append(HTTPHeader("Content-Type", "application/json")) }
    let base = server.hasSuffix("/") ? String(server.dropLast()) : server
    let response: HTTPResponse
    do {
      response = try await http.send(
        HTTPRequest(method: method, url: base + path, headers: headers, body: body, timeout: .seconds(30)))
    } catch let error as CurlError {
      printError("cannot reach the control service at \(server): \(error)")
      throw Exit.unavailable
    }
    guard (200..<300).contains(response.status) else { throw failure(response) }
    return response
  }

  private func decode<T: Decodable>(_ response: HTTPResponse, as type: T.Type) throws -> T {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    do {
      return try decoder.decode(T.self, from: Data(response.body))
    } catch {
      printError("unexpected answer from \(server): \(error)")
      throw Exit.software
    }
  }

  /// Prints the server's error (with each field's problem) and picks the exit code.
  private func failure(_ response: HTTPResponse) -> ExitCode {
    let body = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body))
    var message = body?.message ?? "HTTP \(response.status)"
    for f in body?.fields ?? [] { message += "\n  \(f.field): \(f.message)" }
    printError(message)
    switch response.status {
    case 401, 403: return Exit.notPermitted
    case 409: return Exit.conflict
    case 400, 404, 413, 422: return Exit.invalid
    case 503: return Exit.unavailable
    default: return Exit.software
    }
  }

  struct ErrorBody: Decodable {
    struct Field: Decodable {
      let field: String
      let message: String
    }
    let error: String
    let message: String
    let fields: [Field]?
  }
}
