import Foundation
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// Measures every flow's lag once per probe interval while its source answers: the
/// source's high watermarks against the newest offset-sync the ingester stored. On its
/// own task, so that a source timing out never delays a policy decision or a request.
///
/// A source judged unreachable is not asked (each round would cost its timeout). While
/// this instance has measured nothing of such a flow itself — it started, or became
/// leader, after the source went, or the source went before its first measurement — the
/// flow is measured from the local store alone: the source's watermarks as last stored and
/// the newest checkpoint ingested from the (living) target. Without that, a policy with an
/// RPO budget or a checkpoint age refused the failover for ever ("unknown", "missing").
struct LagMeter: ServiceLifecycle.Service {
  let topology: Topology
  let local: StateStore
  let health: HealthBoard
  let lagBook: LagBook
  let kafka: any KafkaClusters
  let clock: any Clock<Duration>
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        await round()
        try? await clock.sleep(for: topology.probes.interval)
      }
    }
  }

  /// One measurement of every flow, at `now`.
  func round(now: Date = Date()) async {
    for flow in topology.flows {
      let reachable = await health.health(of: flow.source)?.state != .unreachable
      if !reachable, await !lagBook.lacksMeasurement(flow.name) { continue }
      do {
        if reachable {
          let lag = try await FlowLag.measure(
            flow: flow, store: local, source: try? kafka.client(flow.source), now: now)
          await lagBook.update(flow.name, lag, at: now)
        } else {
          await lagBook.standIn(
            flow.name, try await FlowLag.measure(flow: flow, store: local, source: nil, now: now), at: now)
        }
      } catch {
        logger.debug("lag of \(flow.name) not measured: \(error)")
      }
    }
  }
}
