import Foundation
import Logging
import Orchestrator

/// Runs journaled failovers in the background of the service, one task per failover, and
/// resumes the unfinished ones when the service starts.
public actor FailoverRunner {
  let executor: FailoverExecutor
  let policies: [String: Policy]
  let metrics: ServiceMetrics
  private var running: [Int64: Task<FailoverRecord, Never>] = [:]

  public init(executor: FailoverExecutor, policies: [String: Policy], metrics: ServiceMetrics) {
    self.executor = executor
    self.policies = policies
    self.metrics = metrics
  }

  /// Starts `record` unless it already runs here.
  public func start(_ record: FailoverRecord) {
    guard running[record.id] == nil else { return }
    let settings = executor.settings(for: record.service, policies: policies)
    let executor = self.executor
    let metrics = self.metrics
    running[record.id] = Task {
      let finished = await executor.run(record, settings: settings)
      metrics.failover(kind: finished.kind, outcome: finished.status)
      await self.done(record.id)
      return finished
    }
  }

  /// Waits for a failover started here to end.
  public func wait(_ id: Int64) async -> FailoverRecord? {
    await running[id]?.value
  }

  public var active: [Int64] { running.keys.sorted() }

  /// Resumes every failover the journal says is running (a pending one waits for its ack).
  public func resumeUnfinished(store: StateStore, logger: Logger) async throws {
    for record in try await store.openFailovers() where record.status == "running" {
      let done = record.steps.filter { $0.status == "done" || $0.status == "skipped" }.map(\.name)
      logger.notice(
        "resuming failover \(record.id) of \(record.service) (\(record.sourceCluster) -> \(record.targetCluster)) after: \(done.joined(separator: ", "))"
      )
      start(record)
    }
  }

  private func done(_ id: Int64) { running[id] = nil }
}
