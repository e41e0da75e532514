import Foundation
import Orchestrator
import Topology

/// `GET /v1/lag-history`: each flow's measured lag over a window, with what it is judged
/// against: the RPO budget of the policies that would fail over along it, and the lag
/// probe's thresholds for a degraded flow.
struct LagHistoryView: Sendable, Encodable {
  struct Budget: Sendable, Encodable, Equatable {
    /// The smallest `guards.maxLagRecords` of those policies.
    let records: Int64?
    /// The smallest `guards.maxCheckpointAge`, in seconds.
    let checkpointAgeSeconds: Double?
    /// The policies it comes from, by name.
    let policies: [String]
  }

  struct Thresholds: Sendable, Encodable, Equatable {
    let recordsBehind: Int64?
    let heartbeatAgeSeconds: Double?
    let checkpointAgeSeconds: Double?
  }

  struct FlowHistory: Sendable, Encodable {
    let flow: String
    let source: String
    let target: String
    /// nil: no policy of a service on this flow bounds its lag.
    let rpoBudget: Budget?
    /// nil: no `probes.replicationLag` thresholds.
    let degradedAbove: Thresholds?
    let samples: [LagHistory.Sample]
  }

  let windowSeconds: Int
  let sampleSpacingSeconds: Int
  let flows: [FlowHistory]

  /// The policies of every service that has both ends of `flow` among its clusters: a
  /// failover of that service would lose what the flow had not replicated.
  static func budget(_ flow: Flow, topology: Topology, policies: [String: Policy]) -> Budget? {
    var names: Set<String> = []
    for s in topology.services {
      let clusters = [s.primary] + s.standbys
      guard clusters.contains(flow.source), clusters.contains(flow.target), let name = s.policy,
        policies[name] != nil
      else { continue }
      names.insert(name)
    }
    let guards = names.sorted().compactMap { policies[$0]?.guards }
    let records = guards.compactMap(\.maxLagRecords).min()
    let age = guards.compactMap(\.maxCheckpointAge).map(Self.seconds).min()
    guard records != nil || age != nil else { return nil }
    return Budget(records: records, checkpointAgeSeconds: age, policies: names.sorted())
  }

  static func thresholds(_ probes: ProbeSettings) -> Thresholds? {
    guard let t = probes.replicationLag else { return nil }
    return Thresholds(
      recordsBehind: t.maxRecordsBehind, heartbeatAgeSeconds: t.maxHeartbeatAge.map(Self.seconds),
      checkpointAgeSeconds: t.maxCheckpointAge.map(Self.seconds))
  }

  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
  }
}
