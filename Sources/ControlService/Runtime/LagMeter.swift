import Foundation
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// Measures every flow's lag once per probe interval while its source answers: the
/// source's high watermarks against the newest offset-sync the ingester stored. On its
/// own task, so that a source timing out never delays a policy decision or a request.
struct LagMeter: ServiceLifecycle.Service {
  let topology: Topology
  let local: StateStore
  let health: HealthBoard
  let lagBook: LagBook
  let kafka: any KafkaClusters
  let clock: any Clock<Duration>
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown { await measure() }
  }

  private func measure() async {
    while !Task.isCancelled {
      for flow in topology.flows where await health.health(of: flow.source)?.state != .unreachable {
        do {
          await lagBook.update(
            flow.name, try await FlowLag.measure(flow: flow, store: local, source: try? kafka.client(flow.source)))
        } catch {
          logger.debug("lag of \(flow.name) not measured: \(error)")
        }
      }
      try? await clock.sleep(for: topology.probes.interval)
    }
  }
}
