import CurlHTTP
import Foundation

/// The Kafka Connect REST status of a flow's MM2 connectors
/// (`GET /connectors/{name}/status`): connector and task states, and the trace of a
/// failed task. Connect unreachable → unreachable; a connector missing, FAILED,
/// UNASSIGNED or PAUSED, or a task not RUNNING → degraded, with the reason.
public struct ConnectProbe: Sendable {
  public let subject: String
  public let baseURL: String
  public let connectors: [String]
  public let timeout: Duration
  public let client: HTTPClient

  public init(
    subject: String, baseURL: String, connectors: [String], timeout: Duration = .seconds(2), client: HTTPClient
  ) {
    self.subject = subject
    self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    self.connectors = connectors
    self.timeout = timeout
    self.client = client
  }

  /// Connect's status document.
  public struct Status: Decodable, Sendable, Equatable {
    public struct State: Decodable, Sendable, Equatable {
      public let state: String
      public let workerId: String?
      public let trace: String?
      enum CodingKeys: String, CodingKey {
        case state, trace
        case workerId = "worker_id"
      }
    }
    public struct Task: Decodable, Sendable, Equatable {
      public let id: Int
      public let state: String
      public let workerId: String?
      public let trace: String?
      enum CodingKeys: String, CodingKey {
        case id, state, trace
        case workerId = "worker_id"
      }
    }
    public let name: String
    public let connector: State
    public let tasks: [Task]
  }

  public func run() async -> ProbeResult {
    let start = ContinuousClock.now
    var reasons: [String] = []
    for name in connectors {
      let escaped = name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? name
      let url = "\(baseURL)/connectors/\(escaped)/status"
      let response: HTTPResponse
      do {
        response = try await client.send(
          HTTPRequest(url: url, connectTimeout: min(timeout, .seconds(2)), timeout: timeout))
      } catch {
        return ProbeResult(
          kind: "connect", subject: subject, state: .unreachable, reasons: ["Kafka Connect at \(baseURL): \(error)"],
          latencyMilliseconds: (ContinuousClock.now - start).milliseconds)
      }
      guard response.status == 200 else {
        reasons.append(
          response.status == 404 ? "connector \(name) does not exist" : "connector \(name): status \(response.status)")
        continue
      }
      guard let status = try? JSONDecoder().decode(Status.self, from: Data(response.body)) else {
        reasons.append("connector \(name): the status document is not Kafka Connect's")
        continue
      }
      if status.connector.state != "RUNNING" {
        reasons.append("connector \(name) is \(status.connector.state)\(traceSuffix(status.connector.trace))")
      }
      if status.tasks.isEmpty { reasons.append("connector \(name) has no tasks") }
      for task in status.tasks where task.state != "RUNNING" {
        reasons.append("connector \(name) task \(task.id) is \(task.state)\(traceSuffix(task.trace))")
      }
    }
    return ProbeResult(
      kind: "connect", subject: subject, state: reasons.isEmpty ? .healthy : .degraded, reasons: reasons,
      latencyMilliseconds: (ContinuousClock.now - start).milliseconds)
  }

  /// The first line of a Java stack trace: the exception and its message.
  private func traceSuffix(_ trace: String?) -> String {
    guard let first = trace?.split(separator: "\n").first else { return "" }
    return ": \(first)"
  }
}
