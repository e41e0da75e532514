import CurlHTTP
import Foundation

extension ConnectREST {
  public func alterOffsets(
    _ connector: String, _ offsets: ConnectorOffsets, at baseURL: String, then: ConnectVerb, fencingToken: Int64?
  ) async throws -> String {
    let headers =
      [HTTPHeader("Content-Type", "application/json")]
      + (fencingToken.map { [HTTPHeader(Self.fencingTokenHeader, String($0))] } ?? [])
    let stop = try await http.put(
      URLJoin.join(baseURL, ConnectPath.stop(connector)), body: [], headers: headers, timeout: .seconds(5))
    guard (200..<300).contains(stop.status) else {
      throw ConnectError(
        .refused, "stop \(connector): \(Self.refusal(stop)) (stopping a connector needs Connect 3.5 or later)")
    }
    // Stopping is asynchronous: the offsets can be changed once no task runs.
    let deadline = ContinuousClock.now + .seconds(30)
    while true {
      if case .found(let s) = try await status(of: connector, at: baseURL, timeout: .seconds(5)),
        s.connector.state == ConnectorStatus.stopped
      {
        break
      }
      guard ContinuousClock.now < deadline else {
        throw ConnectError(.timedOut, "stop \(connector): not STOPPED after 30 s; its offsets were not changed")
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    let patch = try await http.send(
      HTTPRequest(
        method: .patch, url: URLJoin.join(baseURL, ConnectPath.offsets(connector)), headers: headers,
        body: Array(try JSONEncoder().encode(offsets)), timeout: .seconds(30)))
    guard (200..<300).contains(patch.status) else {
      throw ConnectError(
        .refused,
        "alter the offsets of \(connector): \(Self.refusal(patch)) (it needs Connect 3.6 or later); it is left STOPPED")
    }
    let after = try await http.put(
      URLJoin.join(baseURL, ConnectPath.action(then, connector)), body: [], headers: headers, timeout: .seconds(5))
    guard (200..<300).contains(after.status) else {
      throw ConnectError(
        .leftStopped, "\(then) \(connector) after altering its offsets: \(Self.refusal(after)); it is left STOPPED")
    }
    return "\(connector): offsets of \(offsets.offsets.count) partitions altered, then \(then.past)"
  }

  /// HTTP status and Connect's message (`{"error_code": 400, "message": "..."}`).
  static func refusal(_ r: HTTPResponse) -> String {
    let message = (try? JSONDecoder().decode(ConnectErrorBody.self, from: Data(r.body)))?.message
    return "HTTP \(r.status)" + (message.map { ": \($0)" } ?? "")
  }
}
