import Foundation
import HealthProbes

/// The live health model of a running service, fed by its probes.
public actor HealthBoard {
  private var model: HealthModel
  private var seen: Set<HealthKey> = []
  private let expected: Set<HealthKey>
  private let localRegion: String?
  private let regions: [String: String]
  /// The other orchestrators' votes, as last read from the coordination store.
  private var remote: [VantageVote] = []
  /// Rings when a verdict changes (a probe kind's state, or another vantage point's
  /// votes), for the policy to look at once rather than at its next tick.
  public nonisolated let changes: AsyncStream<Void>
  private let changed: AsyncStream<Void>.Continuation

  /// - Parameters:
  ///   - expected: every scheduled probe; the board is ready once each has reported once.
  ///   - localRegion: where this orchestrator runs, when known (coordinated: always).
  ///   - regions: the region of each subject that has one (clusters).
  public init(model: HealthModel, expected: [HealthKey], localRegion: String? = nil, regions: [String: String] = [:]) {
    self.model = model
    self.expected = Set(expected)
    self.localRegion = localRegion
    self.regions = regions
    (changes, changed) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
  }

  deinit { changed.finish() }

  /// This orchestrator's own verdict on every subject it probes: what it publishes.
  public func localVotes() -> [VantageVote] {
    model.subjectNames.flatMap { model.votes(of: $0, region: localRegion) }
  }

  public func setRemote(_ votes: [VantageVote]) {
    if votes != remote { changed.yield() }
    remote = votes
  }

  public func observe(_ r: ProbeResult) {
    let before = model.health(of: r.subject, kind: r.kind)?.state
    model.observe(r)
    seen.insert(HealthKey(kind: r.kind, subject: r.subject))
    if model.health(of: r.subject, kind: r.kind)?.state != before { changed.yield() }
  }

  /// A subject's judgement; nil before any probe of it reported.
  public func health(of subject: String) -> SubjectHealth? {
    guard model.subjectNames.contains(subject) || remote.contains(where: { $0.subject == subject })
    else { return nil }
    return model.health(of: subject, subjectRegion: regions[subject], localRegion: localRegion, remote: remote)
  }

  public func health(of subject: String, kind: ProbeKind) -> (state: HealthState, since: Date?)? {
    model.health(of: subject, kind: kind)
  }

  /// Probes that have not reported yet, as `kind/subject`.
  public var pending: [String] { expected.subtracting(seen).sorted().map(\.description) }
}
