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

  func run() async throws {
    await cancelWhenGracefulShutdown { await loop() }
  }

  private func loop() async {
    let started = Date()
    var tried: [String: Date] = [:]
    while !Task.isCancelled {
      let now = Date()
      for service in topology.services where service.mode == .activePassive {
        guard let settings = service.policy.flatMap({ policies[$0] })?.drill, let schedule = settings.schedule else {
          continue
        }
        metrics.drillScheduled(service: service.name, next: schedule.next(after: now))
        await overdue(service.name, schedule, settings, now: now, started: started)
        let window = Double(settings.window / .milliseconds(1)) / 1000
        guard let due = schedule.previous(atOrBefore: now, within: window) else { continue }
        let history = (try? await local.drills(service: service.name, limit: 20)) ?? []
        if history.contains(where: { $0.createdAt >= due && $0.status != .refused }) { continue }
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

  /// Whether the service's last scheduled instant whose window has closed went without a passed
  /// drill. An instant from before both this process and the oldest drill on record does not
  /// count: a new installation is not overdue for the weeks before it existed.
  private func overdue(
    _ service: String, _ schedule: CronSchedule, _ settings: DrillSettings, now: Date, started: Date
  ) async {
    let window = Double(settings.window / .milliseconds(1)) / 1000
    // At most 32 days back: a monthly schedule's last instant.
    guard let closed = schedule.previous(atOrBefore: now.addingTimeInterval(-window), within: 32 * 86_400) else {
      metrics.drillOverdue(service: service, false)
      return
    }
    let history = (try? await local.drills(service: service, limit: 50)) ?? []
    let since = min(started, history.last?.createdAt ?? started)
    if closed < since {
      metrics.drillOverdue(service: service, false)
      return
    }
    metrics.drillOverdue(service: service, !history.contains { $0.createdAt >= closed && $0.status == .passed })
  }
}
