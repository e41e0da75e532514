import Logging

/// Runs journaled failovers in the background of the service, one task per failover, and
/// resumes the unfinished ones when the service starts.
public actor FailoverRunner {
  let executor: FailoverExecutor
  let policies: [String: Policy]
  let webhooks: PolicyWebhooks
  /// Told of every failover that ends here (metrics).
  let ended: @Sendable (FailoverRecord) -> Void
  private var running: [Int64: Task<FailoverRecord, Never>] = [:]

  public init(
    executor: FailoverExecutor, policies: [String: Policy], webhooks: PolicyWebhooks,
    ended: @escaping @Sendable (FailoverRecord) -> Void = { _ in }
  ) {
    self.executor = executor
    self.policies = policies
    self.webhooks = webhooks
    self.ended = ended
  }

  /// Calls the webhooks of the service's policy that listen for `event` (`pending`,
  /// `started`, `succeeded`, `failed`, `aborted`, `rolled-back`, `divergence`) with
  /// `{"event": ..., "failover": ...}` (and `"divergence"` for that event).
  public nonisolated func notify(_ event: WebhookEvent, _ record: FailoverRecord, divergence: Divergence? = nil) {
    webhooks.send(
      event, service: record.service, what: "failover \(record.id)",
      WebhookBody(event: event, failover: record, divergence: divergence))
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
    let ended = self.ended
    notify(.started, record)
    running[record.id] = Task {
      let finished = await executor.run(record, settings: settings)
      ended(finished)
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
