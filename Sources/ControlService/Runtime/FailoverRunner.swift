import CurlHTTP
import Foundation
import KafkaConnect
import Logging
import Orchestrator
import Topology

/// Runs journaled failovers in the background of the service, one task per failover, and
/// resumes the unfinished ones when the service starts.
public actor FailoverRunner {
  let executor: FailoverExecutor
  let policies: [String: Policy]
  let metrics: ServiceMetrics
  /// For the policies' webhooks.
  let http: HTTPClient
  private var running: [Int64: Task<FailoverRecord, Never>] = [:]

  public init(executor: FailoverExecutor, policies: [String: Policy], metrics: ServiceMetrics, http: HTTPClient) {
    self.executor = executor
    self.policies = policies
    self.metrics = metrics
    self.http = http
  }

  /// Calls the webhooks of the service's policy that listen for `event` (`pending`,
  /// `started`, `succeeded`, `failed`, `aborted`, `rolled-back`, `divergence`) with
  /// `{"event": ..., "failover": ...}` (and `"divergence"` for that event).
  /// Fire and forget: a slow or failing hook never holds a failover up; failures are logged.
  public nonisolated func notify(_ event: WebhookEvent, _ record: FailoverRecord, divergence: Divergence? = nil) {
    let topology = executor.topology
    guard let name = topology.service(record.service)?.policy, let policy = policies[name] else { return }
    let hooks = policy.action.webhooks.filter { $0.events.isEmpty || $0.events.contains(event) }
    guard !hooks.isEmpty else { return }
    let encoder = JSONCoding.encoder()
    guard let body = try? encoder.encode(WebhookBody(event: event, failover: record, divergence: divergence))
    else { return }
    let http = self.http
    let logger = executor.logger
    let store = executor.store
    for hook in hooks {
      Task {
        do {
          // The leader's fencing token goes along, as with Connect: a receiver can refuse
          // a deposed leader's call. A pending event may come from any instance (no token).
          var headers = [HTTPHeader("Content-Type", "application/json")]
          if case .leader(let token) = try? await store.leadership() {
            headers.append(HTTPHeader(ConnectREST.fencingTokenHeader, String(token)))
          }
          let r = try await http.post(hook.url, body: Array(body), headers: headers, timeout: .seconds(5))
          if !(200..<300).contains(r.status) { logger.warning("webhook \(hook.url) answered \(r.status) to \(event)") }
        } catch {
          logger.warning("webhook \(hook.url) for \(event) of failover \(record.id): \(error)")
        }
      }
    }
  }

  struct WebhookBody: Encodable {
    let event: WebhookEvent
    let failover: FailoverRecord
    let divergence: Divergence?
  }

  /// Starts `record` unless it already runs here.
  public func start(_ record: FailoverRecord) {
    guard running[record.id] == nil else { return }
    let settings = executor.settings(for: record.service, policies: policies)
    let executor = self.executor
    let metrics = self.metrics
    notify(.started, record)
    running[record.id] = Task {
      let finished = await executor.run(record, settings: settings)
      metrics.failover(kind: finished.kind, outcome: finished.status.rawValue)
      if let event = WebhookEvent(finished: finished.status) { self.notify(event, finished) }
      self.done(record.id)
      return finished
    }
  }

  /// Resumes every failover the journal says is running (a pending one waits for its ack).
  public func resumeUnfinished(logger: Logger) async throws {
    for record in try await executor.store.openFailovers() where record.status == .running {
      let done = record.steps.filter(\.status.isComplete).map(\.name.rawValue)
      logger.notice(
        "resuming failover \(record.id) of \(record.service) (\(record.sourceCluster) -> \(record.targetCluster)) after: \(done.joined(separator: ", "))"
      )
      start(record)
    }
  }

  private func done(_ id: Int64) { running[id] = nil }

  /// The end of a failover running here; nil when none runs with that id.
  public func finished(_ id: Int64) async -> FailoverRecord? { await running[id]?.value }
}
