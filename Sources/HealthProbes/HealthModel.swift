import Foundation

/// How many consecutive observations it takes to change a judgement.
public struct Hysteresis: Sendable, Equatable, Codable {
  /// Consecutive worse results before a subject is judged worse (down).
  public var failuresToDown: Int
  /// Consecutive better results before it is judged better again (up).
  public var successesToUp: Int

  public init(failuresToDown: Int = 3, successesToUp: Int = 2) {
    self.failuresToDown = max(1, failuresToDown)
    self.successesToUp = max(1, successesToUp)
  }
}

/// The judged health of one subject (a cluster or a flow), across probe kinds and
/// vantage points.
public struct SubjectHealth: Sendable, Equatable, Codable {
  public let subject: String
  public let state: HealthState
  public let reasons: [String]
  /// Vantage points that judge the subject unreachable, and how many are needed.
  public let unreachableFrom: [String]
  public let quorum: Int
  public let since: Date?
  /// Every vantage point's verdict (this orchestrator's and, coordinated, the others'),
  /// by vantage name.
  public let votes: [VantageVote]
}

/// Turns probe results into judgements: hysteresis per (subject, vantage, probe kind) so
/// that a single failed probe never flips a state, the worst kind wins per vantage, and a
/// subject is unreachable only when a quorum of vantage points says so.
public struct HealthModel: Sendable {
  public let hysteresis: Hysteresis
  public let quorum: Int

  struct Key: Hashable, Sendable {
    let subject: String
    let vantage: String
    let kind: ProbeKind
  }

  struct Track: Sendable {
    var judged: HealthState = .healthy
    /// Whether the current streak of observations is worse (true) or better than judged.
    var worseStreak = false
    var streak = 0
    var reasons: [String] = []
    var since: Date? = nil
    var last: Date? = nil
  }

  private var tracks: [Key: Track] = [:]

  public init(hysteresis: Hysteresis = Hysteresis(), quorum: Int = 1) {
    self.hysteresis = hysteresis
    self.quorum = max(1, quorum)
  }

  /// Takes one probe result into account.
  public mutating func observe(_ r: ProbeResult) {
    let key = Key(subject: r.subject, vantage: r.vantage, kind: r.kind)
    var t = tracks[key] ?? Track()
    t.last = r.at
    if r.state == t.judged {
      t.streak = 0
      t.reasons = r.reasons
    } else {
      let worse = r.state > t.judged
      t.streak = t.streak > 0 && t.worseStreak == worse ? t.streak + 1 : 1
      t.worseStreak = worse
      let needed = worse ? hysteresis.failuresToDown : hysteresis.successesToUp
      if t.streak >= needed {
        t.judged = r.state
        t.reasons = r.reasons
        t.since = r.at
        t.streak = 0
      }
    }
    tracks[key] = t
  }

  /// The judgement of every subject observed, sorted by name.
  public var subjects: [SubjectHealth] {
    subjectNames.map { health(of: $0) }
  }

  /// Every subject observed, sorted.
  public var subjectNames: [String] { Set(tracks.keys.map(\.subject)).sorted() }

  /// The judgement of one kind of probe of `subject`: its worst state over the vantage
  /// points and since when it has been so. Nil when no probe of that kind reported.
  public func health(of subject: String, kind: ProbeKind) -> (state: HealthState, since: Date?)? {
    let mine = tracks.filter { $0.key.subject == subject && $0.key.kind == kind }.map(\.value)
    guard let worst = mine.map(\.judged).max() else { return nil }
    return (worst, mine.filter { $0.judged == worst }.compactMap(\.since).max())
  }

  /// This model's own verdicts on `subject`, one per vantage point it was fed (the worst
  /// probe kind wins per vantage), as the votes it publishes.
  public func votes(of subject: String, region: String?) -> [VantageVote] {
    var perVantage: [String: (state: HealthState, reasons: [String], since: Date?, at: Date?)] = [:]
    for (key, t) in tracks.filter({ $0.key.subject == subject }).sorted(by: { $0.key.kind < $1.key.kind }) {
      let current = perVantage[key.vantage] ?? (.healthy, [], nil, nil)
      let reasons = t.judged == .healthy ? [] : t.reasons.map { "\(key.kind): \($0)" }
      let at = [current.at, t.last].compactMap { $0 }.max()
      if t.judged > current.state {
        perVantage[key.vantage] = (t.judged, current.reasons + reasons, t.since, at)
      } else {
        perVantage[key.vantage] = (current.state, current.reasons + reasons, current.since, at)
      }
    }
    return perVantage.sorted { $0.key < $1.key }.map { v, s in
      VantageVote(
        subject: subject, vantage: v, region: region, state: s.state, reasons: s.reasons, since: s.since, at: s.at)
    }
  }

  /// The judgement of `subject` from this model's vantage points and `remote` votes (the
  /// other orchestrators'; a vantage point of this model wins over a remote one of the
  /// same name). Unreachable only when `quorum` vantage points that count say so: by
  /// default not those inside `subjectRegion`.
  public func health(
    of subject: String, subjectRegion: String? = nil, localRegion: String? = nil, remote: [VantageVote] = [],
    sameRegion: SameRegionVotes = .ignore
  ) -> SubjectHealth {
    let local = votes(of: subject, region: localRegion)
    let mine = Set(local.map(\.vantage))
    let all = (local + remote.filter { $0.subject == subject && !mine.contains($0.vantage) }).sorted {
      $0.vantage < $1.vantage
    }
    let unreachable = all.filter { $0.countsAsUnreachable(subjectRegion: subjectRegion, sameRegion: sameRegion) }
      .map(\.vantage)
    let insideUnreachable = all.filter { $0.state == .unreachable }.count - unreachable.count
    let worst = all.map(\.state).max() ?? .healthy
    let state: HealthState =
      unreachable.count >= quorum ? .unreachable : (worst == .healthy ? .healthy : .degraded)
    var reasons = all.flatMap { v in all.count > 1 ? v.reasons.map { "[\(v.vantage)] \($0)" } : v.reasons }
    if worst == .unreachable, state != .unreachable {
      reasons.append("unreachable from \(unreachable.count) of \(quorum) vantage points needed")
    }
    if insideUnreachable > 0, let subjectRegion {
      reasons.append("\(insideUnreachable) vantage point(s) inside \(subjectRegion) not counted")
    }
    let since =
      state == .unreachable
      ? all.filter { unreachable.contains($0.vantage) }.compactMap(\.since).max()
      : all.filter { $0.state == state }.compactMap(\.since).max()
    return SubjectHealth(
      subject: subject, state: state, reasons: reasons, unreachableFrom: unreachable, quorum: quorum, since: since,
      votes: all)
  }
}
