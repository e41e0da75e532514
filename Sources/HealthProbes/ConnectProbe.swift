import Foundation
import KafkaConnect

/// The Kafka Connect REST status of a flow's MM2 connectors
/// (`GET /connectors/{name}/status`): connector and task states, and the trace of a
/// failed task. Connect unreachable → unreachable; a connector missing, FAILED,
/// UNASSIGNED or PAUSED, or a task not RUNNING → degraded, with the reason.
public struct ConnectProbe: Sendable {
  public let subject: String
  public let baseURL: String
  public let connectors: [String]
  public let timeout: Duration
  public let connect: any ConnectControl

  public init(
    subject: String, baseURL: String, connectors: [String], timeout: Duration = .seconds(2),
    connect: any ConnectControl
  ) {
    self.subject = subject
    self.baseURL = baseURL
    self.connectors = connectors
    self.timeout = timeout
    self.connect = connect
  }

  public func run() async -> ProbeResult {
    let watch = ProbeStopwatch(kind: .connect, subject: subject)
    var reasons: [String] = []
    for name in connectors {
      let answer: ConnectStatusAnswer
      do {
        answer = try await connect.status(of: name, at: baseURL, timeout: timeout)
      } catch {
        return watch.result(.unreachable, ["Kafka Connect at \(baseURL): \(error)"])
      }
      switch answer {
      case .missing: reasons.append("connector \(name) does not exist")
      case .refused(let code): reasons.append("connector \(name): status \(code)")
      case .undecodable: reasons.append("connector \(name): the status document is not Kafka Connect's")
      case .found(let status):
        if status.connector.state != ConnectorStatus.running {
          reasons.append("connector \(name) is \(status.connector.state)\(traceSuffix(status.connector.trace))")
        }
        if status.tasks.isEmpty { reasons.append("connector \(name) has no tasks") }
        for task in status.tasks where task.state != ConnectorStatus.running {
          reasons.append("connector \(name) task \(task.id) is \(task.state)\(traceSuffix(task.trace))")
        }
      }
    }
    return watch.result(reasons.isEmpty ? .healthy : .degraded, reasons)
  }

  /// The first line of a Java stack trace: the exception and its message.
  private func traceSuffix(_ trace: String?) -> String {
    guard let first = trace?.split(separator: "\n").first else { return "" }
    return ": \(first)"
  }
}
