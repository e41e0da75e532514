import Foundation
import HealthProbes
import Topology

/// What a policy says about a service now.
public enum PolicyDecision: Sendable, Equatable {
  /// The trigger does not hold.
  case quiet
  /// The trigger holds but a guard refuses; `guardName` is the guard's field.
  case refused(guardName: String, reason: String)
  /// Fail over to `target` (automatic approval) ...
  case failover(target: String, reason: String)
  /// ... or open a pending failover for an operator to acknowledge (manual approval).
  case pending(target: String, reason: String)
}

/// What the evaluator needs to know about the world at one instant.
public struct PolicyInputs: Sendable {
  /// Judgement of a cluster (all probe kinds), nil before any probe reported.
  public var health: [String: SubjectHealth]
  /// Judgement of one probe kind of a cluster: `kafka/east` -> (state, since).
  public var kindHealth: [HealthKey: (state: HealthState, since: Date?)]
  /// Records behind per flow name, as last known (while the source still answered).
  public var lagRecords: [String: Int64]
  /// Since when each flow has been above each `lagAbove` bound, kept by the caller.
  public var lagAboveSince: [LagThreshold: Date]
  public var checkpointAgeSeconds: [String: Double]
  /// Flows without a single offset-sync: MM2 has replicated nothing, so it checkpoints
  /// nothing (MirrorCheckpointTask emits only for partitions with a sync), and a missing
  /// checkpoint is what an idle flow looks like, not a stale one.
  public var unsyncedFlows: Set<String> = []
  /// Start times of the service's recent automatic failovers.
  public var recentAutomatic: [Date]
  public var now: Date

  public init(
    health: [String: SubjectHealth] = [:], kindHealth: [HealthKey: (state: HealthState, since: Date?)] = [:],
    lagRecords: [String: Int64] = [:], lagAboveSince: [LagThreshold: Date] = [:],
    checkpointAgeSeconds: [String: Double] = [:],
    recentAutomatic: [Date] = [], now: Date = Date()
  ) {
    self.health = health
    self.kindHealth = kindHealth
    self.lagRecords = lagRecords
    self.lagAboveSince = lagAboveSince
    self.checkpointAgeSeconds = checkpointAgeSeconds
    self.recentAutomatic = recentAutomatic
    self.now = now
  }
}

/// Evaluates a policy for one service: the trigger over the active cluster, then the
/// guards in a fixed order (blackouts, cooldown, rate, healthy target, RPO budget,
/// checkpoint age), then approval. Pure: the same inputs give the same decision, which
/// is what `policy simulate` and the tests rely on.
public struct PolicyEvaluator: Sendable {
  public let policy: Policy
  public let topology: Topology

  public init(policy: Policy, topology: Topology) {
    self.policy = policy
    self.topology = topology
  }

  public func decide(service: Service, active: String, _ x: PolicyInputs) -> PolicyDecision {
    let held = policy.trigger.conditions.map { holds($0, service: service, active: active, x) }
    let fired =
      policy.trigger.combine == .any ? held.contains { $0 != nil } : (!held.isEmpty && held.allSatisfy { $0 != nil })
    guard fired else { return .quiet }
    let reason = held.compactMap { $0 }.joined(separator: "; ")
    let g = policy.guards
    if let b = g.blackouts.first(where: { Self.inside($0, x.now) }) {
      return .refused(
        guardName: "blackouts", reason: "inside the blackout window \(Self.clock(b.from))-\(Self.clock(b.to)) UTC")
    }
    if let last = x.recentAutomatic.max(), x.now.timeIntervalSince(last) < seconds(g.cooldown) {
      return .refused(
        guardName: "cooldown", reason: "last automatic failover \(Int(x.now.timeIntervalSince(last))) s ago")
    }
    let inWindow = x.recentAutomatic.filter { x.now.timeIntervalSince($0) < seconds(g.window) }.count
    if inWindow >= g.maxFailovers {
      return .refused(guardName: "maxFailovers", reason: "\(inWindow) automatic failovers in the window already")
    }
    guard let target = chooseTarget(service: service, active: active, x, healthyOnly: g.healthyTarget) else {
      return .refused(guardName: "healthyTarget", reason: "no healthy standby of \(service.name)")
    }
    let flow = topology.flow(from: active, to: target)?.name ?? "\(active)->\(target)"
    if let budget = g.maxLagRecords {
      guard let lag = x.lagRecords[flow] else {
        return .refused(guardName: "maxLagRecords", reason: "lag of \(flow) unknown: the RPO budget cannot be checked")
      }
      if lag > budget {
        return .refused(guardName: "maxLagRecords", reason: "\(flow) is \(lag) records behind, budget \(budget)")
      }
    }
    if let maxAge = g.maxCheckpointAge, !(x.checkpointAgeSeconds[flow] == nil && x.unsyncedFlows.contains(flow)) {
      guard let age = x.checkpointAgeSeconds[flow], age <= seconds(maxAge) else {
        return .refused(guardName: "maxCheckpointAge", reason: "newest checkpoint of \(flow) too old or missing")
      }
    }
    return g.approval == .automatic
      ? .failover(target: target, reason: reason) : .pending(target: target, reason: reason)
  }

  /// A description of the condition when it holds, nil when not.
  func holds(_ c: Policy.Condition, service: Service, active: String, _ x: PolicyInputs) -> String? {
    switch c {
    case .clusterUnreachable(let d):
      guard let h = x.health[active] else { return nil }
      let needed = policy.trigger.quorum ?? h.quorum
      let region = topology.cluster(active)?.region
      let voters = h.votes.filter {
        $0.countsAsUnreachable(subjectRegion: region, sameRegion: policy.trigger.sameRegionVotes)
      }
      guard voters.count >= needed, let since = voters.compactMap(\.since).max() ?? Optional(x.now),
        x.now.timeIntervalSince(since) >= seconds(d)
      else { return nil }
      let names = voters.map(\.vantage).joined(separator: ", ")
      return "\(active) unreachable from \(voters.count) vantage point(s): \(names)"
    case .probeFailing(let kind, let d):
      guard let h = x.kindHealth[HealthKey(kind: kind, subject: active)], h.state != .healthy,
        x.now.timeIntervalSince(h.since ?? x.now) >= seconds(d)
      else { return nil }
      return "\(kind) probe of \(active) \(h.state.rawValue)"
    case .lagAbove(let n, let d):
      for standby in service.clusters where standby != active {
        guard let flow = topology.flow(from: active, to: standby)?.name, let lag = x.lagRecords[flow], lag > n,
          let since = x.lagAboveSince[LagThreshold(flow: flow, records: n)],
          x.now.timeIntervalSince(since) >= seconds(d)
        else { continue }
        return "\(flow) \(lag) records behind"
      }
      return nil
    }
  }

  /// The target a failover of `service` goes to: the policy's preference, else the
  /// standbys in order; healthy ones first.
  public func chooseTarget(service: Service, active: String, _ x: PolicyInputs, healthyOnly: Bool) -> String? {
    let order: [String] =
      switch policy.action.target {
      case .bestStandby: service.clusters
      case .preferred(let list): list + service.clusters
      }
    let candidates = order.filter { $0 != active && service.clusters.contains($0) }
    if let healthy = candidates.first(where: { x.health[$0]?.state == .healthy }) { return healthy }
    if healthyOnly { return nil }
    return candidates.first { x.health[$0]?.state != .unreachable }
  }

  private func seconds(_ d: Duration) -> Double { d / .seconds(1) }

  static func inside(_ b: Policy.Blackout, _ date: Date) -> Bool {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.weekday, .hour, .minute], from: date)
    // Calendar: 1 = Sunday; the policy: 1 = Monday.
    let day = ((c.weekday ?? 1) + 5) % 7 + 1
    let minute = (c.hour ?? 0) * 60 + (c.minute ?? 0)
    let inTime = b.from <= b.to ? (minute >= b.from && minute < b.to) : (minute >= b.from || minute < b.to)
    guard inTime else { return false }
    if b.days.isEmpty { return true }
    // A window that crosses midnight belongs to the day it started.
    let startDay = b.from > b.to && minute < b.to ? (day + 5) % 7 + 1 : day
    return b.days.contains(startDay)
  }

  static func clock(_ m: Int) -> String { String(format: "%02d:%02d", m / 60, m % 60) }
}
