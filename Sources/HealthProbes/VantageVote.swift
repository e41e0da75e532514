import Foundation

/// One vantage point's verdict on one subject: what the orchestrator named `vantage`, in
/// `region`, judges a cluster or flow to be. Each instance of a coordinated control plane
/// publishes its own under its own lease, so a dead instance's votes vanish with it.
public struct VantageVote: Sendable, Equatable, Codable {
  public let subject: String
  public let vantage: String
  /// Where the vantage point runs; nil when unknown (a standalone orchestrator without
  /// `--region`), and then it always counts.
  public let region: String?
  public let state: HealthState
  public let reasons: [String]
  /// Since when the vantage point has judged it so.
  public let since: Date?
  /// When the vantage point last observed the subject.
  public let at: Date?

  public init(
    subject: String, vantage: String, region: String?, state: HealthState, reasons: [String], since: Date?,
    at: Date?
  ) {
    self.subject = subject
    self.vantage = vantage
    self.region = region
    self.state = state
    self.reasons = reasons
    self.since = since
    self.at = at
  }

  /// Whether this vote counts toward the subject's death. A vantage point inside the
  /// subject's own region cannot tell its region's death from its own isolation, so by
  /// default it does not count (as Sentinel's and orchestrator's users expect: the
  /// judgement comes from outside).
  public func countsAsUnreachable(subjectRegion: String?, sameRegion: SameRegionVotes) -> Bool {
    guard state == .unreachable else { return false }
    guard sameRegion == .ignore, let subjectRegion, let region else { return true }
    return region != subjectRegion
  }
}

/// Whether vantage points inside the judged subject's own region count toward its death.
public enum SameRegionVotes: String, Sendable, Codable, Equatable, CaseIterable {
  /// They are shown but not counted (the default).
  case ignore
  /// They count like any other.
  case count
}
