import HealthProbes
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// Runs a topology's probes for the life of the service: each result goes to the live
/// health model and the metrics at once, and to SQLite in one transaction per second.
struct ProbeRunner: ServiceLifecycle.Service {
  let scheduler: ProbeScheduler
  let health: HealthBoard
  let metrics: ServiceMetrics
  let store: StateStore
  let retention: Duration
  let logger: Logger

  func run() async throws {
    let buffer = ResultBuffer()
    await withTaskGroup(of: Void.self) { group in
      group.addTask {
        await cancelWhenGracefulShutdown {
          await scheduler.run { result in
            await health.observe(result)
            metrics.probe(result)
            await buffer.append(result)
          }
        }
      }
      group.addTask {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
          try? await Task.sleep(for: .seconds(1))
          await flush(buffer)
        }
      }
      await group.waitForAll()
    }
    await flush(buffer)
  }

  private func flush(_ buffer: ResultBuffer) async {
    let results = await buffer.drain()
    guard !results.isEmpty else { return }
    do {
      // The last flush happens while the service stops: a cancelled caller must not cancel
      // the write (an unstructured task does not inherit the cancellation).
      let store = self.store
      let retention = self.retention
      try await Task { try await store.record(results, retention: retention) }.value
    } catch {
      logger.error("could not store \(results.count) probe results: \(error)")
    }
  }
}
