import Logging
import Orchestrator
import ServiceLifecycle

/// Campaigns and renews this instance's place in the control plane; when it becomes the
/// leader, resumes every unfinished failover of the shared journal (the previous leader's
/// included). On a planned stop it resigns, so that another takes over at once.
struct ControlPlaneLoop: ServiceLifecycle.Service {
  let controlPlane: any ControlPlane
  let runner: FailoverRunner
  /// Recoveries journaled by this instance (the journal is its own), resumed when it leads.
  let recoveries: RecoveryRunner
  let metrics: ServiceMetrics
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        if await controlPlane.step() {
          metrics.becameLeader()
          do { try await runner.resumeUnfinished(logger: logger) } catch {
            logger.error("could not resume the unfinished failovers: \(error)")
          }
          do { try await recoveries.resumeUnfinished() } catch {
            logger.error("could not resume the unfinished recoveries: \(error)")
          }
        }
        await controlPlane.untilNextRound()
      }
    }
    await controlPlane.resign()
  }
}
