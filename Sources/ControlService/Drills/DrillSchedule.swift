import Foundation
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// Starts the drills the policies schedule (cron, UTC): once per scheduled instant, within the
/// policy's window. The first refusal of an instant is journaled (and announced); the gates are
/// checked again every tick of the window, silently, and the drill starts when they open. An
/// instant whose window closed without a passed drill makes the service overdue (a metric).
struct DrillSchedule: ServiceLifecycle.Service {
  let topology: Topology
  let policies: [String: Policy]
  let drills: DrillRunner
  let local: StateStore
  let metrics: ServiceMetrics
  let clock: any Clock<Duration>
  let logger: Logger
  var tick = Duration.seconds(15)
  /// Wall time: cron instants are times of day (UTC).
  var now: @Sendable () -> Date = { Date() }

  func run() async throws {
    await cancelWhenGracefulShutdown { await loop() }
  }

  private func loop() async {
    let started = now()
    var tried: [String: Date] = [:]
    while !Task.isCancelled {
      let now = self.now()
      for service in topology.services where service.mode == .activePassive {
        guard let settings = service.policy.flatMap({ policies[$0] })?.drill, let schedule = settings.schedule else {
          continue
        }
        let history = (try? await local.drills(service: service.name, limit: 50)) ?? []
        metrics.drillScheduled(service: service.name, next: schedule.next(after: now))
        metrics.drillOverdue(
          service: service.name, DrillCalendar.overdue(settings, now: now, started: started, history: history))
        guard let due = DrillCalendar.due(settings, now: now, history: history) else { continue }
        if tried[service.name] == due {
          // Retried silently: only a start is news.
          guard let target = DrillGate.target(of: service, asked: nil, settings: settings),
            let closed = try? await drills.gates(service, target: target, settings: settings), closed.isEmpty
          else { continue }
        }
        tried[service.name] = due
        do {
          let started = try await drills.start(
            service: service.name, to: nil, backAfter: nil, dryRun: false,
            reason: "scheduled \(schedule) at \(due.formatted(.iso8601))", trigger: .schedule, actor: "schedule")
          logger.notice("scheduled drill \(started.drill?.id ?? 0) of \(service.name) started")
        } catch {
          logger.notice("scheduled drill of \(service.name) not started: \(error)")
        }
      }
      try? await clock.sleep(for: tick)
    }
  }
}
