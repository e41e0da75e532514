import Foundation
import KafkaClient
import Logging
import Orchestrator
import ServiceLifecycle

/// Measures every flow's lag once per probe interval while its source answers: the
/// source's high watermarks against the newest offset-sync the ingester stored. On its
/// own task, so that a source timing out never delays a policy decision or a request.
struct LagMeter: ServiceLifecycle.Service {
  let api: ControlAPI
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown { await measure() }
  }

  private func measure() async {
    let topology = api.topology
    var clients: [String: KafkaClient] = [:]
    while !Task.isCancelled {
      for flow in topology.flows where await api.health.health(of: flow.source)?.state != .unreachable {
        if clients[flow.source] == nil {
          clients[flow.source] = try? topology.cluster(flow.source)?.makeClient(timeout: .seconds(2))
        }
        do {
          await api.lagBook.update(
            flow.name, try await FlowLag.measure(flow: flow, store: api.store, source: clients[flow.source]))
        } catch {
          logger.debug("lag of \(flow.name) not measured: \(error)")
        }
      }
      try? await Task.sleep(for: topology.probes.interval)
    }
  }
}
