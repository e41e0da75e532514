import HealthProbes

/// Where the orchestrators of a deployment publish their verdicts for each other, so that
/// a cluster is judged by a quorum of vantage points in different places.
public protocol VantageVoteStore: Sendable {
  /// Publishes this instance's verdicts (replacing its earlier ones).
  func cast(_ votes: [VantageVote]) async throws
  /// Every live instance's verdicts, this one's included.
  func votes() async throws -> [VantageVote]
}
