import HealthProbes
import Logging
import Orchestrator
import ServiceLifecycle

/// Coordinated only: every `interval`, publishes this instance's verdicts and takes in the
/// other instances', so that the health model judges each cluster by every vantage point
/// that is alive. When the store cannot be read the other votes are dropped: an instance
/// cut off from etcd judges alone (and, not leading, decides nothing).
struct VoteRound: ServiceLifecycle.Service {
  let votes: any VantageVoteStore
  let health: HealthBoard
  let instance: String
  let interval: Duration
  let logger: Logger

  /// As often as the probes give new verdicts, and at least once per renewal period. A
  /// verdict waits up to one round to be cast and one more to be read by the leader: at
  /// the renewal period alone (TTL/3), a region's death reached the leader's policy up to
  /// 3.3 s after the probes saw it, with a 5 s TTL and 1 s probes (bench/control-plane.sh).
  static func interval(controlPlane: Duration, probes: Duration) -> Duration {
    max(min(controlPlane, probes), .milliseconds(250))
  }

  func run() async throws {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        await round()
        try? await Task.sleep(for: interval)
      }
    }
  }

  func round() async {
    do {
      try await votes.cast(await health.localVotes())
      await health.setRemote(try await votes.votes().filter { $0.vantage != instance })
    } catch {
      await health.setRemote([])
      logger.warning("vantage votes not exchanged: \(error)")
    }
  }
}
