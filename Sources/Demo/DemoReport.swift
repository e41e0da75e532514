import ControlServiceClient
import Foundation
import Orchestrator
import Topology

/// What a demo scenario did, for people (`render`) and for scripts (JSON).
public struct DemoReport: Codable, Sendable {
  struct Move: Codable {
    let id: Int64
    let service: String
    let kind: FailoverKind
    let from: String
    let to: String
    let status: FailoverStatus
    let requestedBy: String
    let expectedLossRecords: Int64?
    let seconds: Double?
    let groupsTranslated: Int
  }

  /// Active-active: one region's clients' view of every region's records.
  struct RegionReport: Codable {
    let region: String
    /// By this region's producers.
    let produced: Int
    /// By every region's producers: what this region's consumers must read.
    let acknowledged: Int
    let consumed: Int
    let lost: Int
    let redelivered: Int
  }

  struct ServiceAfter: Codable {
    let service: String
    let activeCluster: String
    let epoch: Int64
  }

  var scenario: DemoKind = .unplanned
  var durationSeconds = 0.0
  var recordsPerSecond = 0
  var consumerGroups = 0
  var produced = 0
  var acknowledged = 0
  var consumed = 0
  /// Acknowledged with acks=all and never consumed.
  var lost = 0
  var redelivered = 0
  /// From the scenario's event to the orchestrator opening the first failover.
  var detectionSeconds: Double? = nil
  /// From the event until the clients of every service saw a writable active cluster on the target.
  var failoverSeconds: Double? = nil
  /// failback only: from the failback request until every service's clients were home.
  var failbackSeconds: Double? = nil
  var groupsTranslated = 0
  /// What the orchestrator predicted the first move could lose, from the flow's lag at
  /// the decision (one figure per flow, not per service: services share a flow).
  var expectedLossBound: Int64? = nil
  var failovers: [Move] = []
  var servicesAfter: [ServiceAfter] = []
  var database = ""
  /// control-plane only: the leading orchestrator before and after the failure, and the
  /// seconds from the failure until the survivors named a new leader.
  var leaderBefore: String? = nil
  var leaderAfter: String? = nil
  var leaderTakeoverSeconds: Double? = nil
  /// active-active only: per region, and every cluster@epoch west's clients were shown
  /// (one entry: they never moved nor reconnected).
  var regions: [RegionReport] = []
  var unmovedRegionViews: [String] = []

  /// recover only: the ledger at each stage, of the records acknowledged before the failure
  /// (`lostSoFar`: not read by any consumer yet), the tail east kept, and what was recovered.
  struct Stage: Codable {
    let stage: String
    let acknowledged: Int
    let consumed: Int
    let lostSoFar: Int
    let redelivered: Int
  }
  var stages: [Stage] = []
  var tailRecords: Int64? = nil
  var recoveredRecords: Int64? = nil
  /// Of the tail's records (acknowledged before the failure, unread when east came back):
  /// how many the consumers read in the end, and how many more than once.
  var tailRead: Int? = nil
  var tailReadTwice: Int? = nil
  /// recover: the independent consumer (confluent-kafka) against the same acknowledgements.
  var independent: IndependentReport? = nil

  struct IndependentReport: Codable {
    let client: String
    let acknowledged: Int
    let read: Int
    let lost: Int
    /// Acknowledged records it read more than once (the at-least-once windows of the moves).
    let readTwice: Int
    /// Of them, records of the tail: read on east before it died, and again once recovered.
    let tailReadTwice: Int
  }

  /// The scenario's promise: planned moves lose nothing, an unplanned one no more than predicted.
  public var invariantHolds: Bool {
    switch scenario {
    case .unplanned, .controlPlane: lost <= Int(expectedLossBound ?? 0)
    // East comes back: replication delivers its tail, so nothing is lost for good.
    case .activeActive: regions.allSatisfy { $0.lost == 0 } && unmovedRegionViews.count == 1
    case .planned, .failback: lost == 0
    case .recover: lost == 0 && tailReadTwice == 0 && (independent?.lost ?? 0) == 0
    }
  }

  static func move(_ f: FailoverRecord) -> Move {
    let translate = f.steps.first { $0.name == .translateOffsets }
    return Move(
      id: f.id, service: f.service, kind: f.kind, from: f.sourceCluster, to: f.targetCluster, status: f.status,
      requestedBy: f.requestedBy, expectedLossRecords: f.expectedLossRecords,
      seconds: f.finishedAt.map { $0.timeIntervalSince(f.createdAt) },
      groupsTranslated: translate.map { groups(in: $0.details) } ?? 0)
  }

  /// The predicted loss of these moves: services share a flow, so its prediction counts
  /// once (the largest); unknown when any move had none.
  static func lossBound(_ moves: [FailoverRecord]) -> Int64? {
    guard !moves.isEmpty, moves.allSatisfy({ $0.expectedLossRecords != nil }) else { return nil }
    var byFlow: [String: Int64] = [:]
    for m in moves {
      byFlow["\(m.sourceCluster)->\(m.targetCluster)", default: 0] = max(
        byFlow["\(m.sourceCluster)->\(m.targetCluster)", default: 0], m.expectedLossRecords ?? 0)
    }
    return byFlow.values.reduce(0, +)
  }

  /// The translate step's details, `… of G groups …` -> G.
  static func groups(in details: String) -> Int {
    let words = details.split(separator: " ")
    guard let i = words.firstIndex(where: { $0.hasPrefix("group") && !$0.hasPrefix("group-") }), i > 0 else {
      return 0
    }
    return Int(words[i - 1]) ?? 0
  }

  public func render() -> String {
    var out = "\n"
    if scenario == .activeActive {
      out += TextTable.render(
        ["CLIENTS IN", "PRODUCED", "TO READ", "CONSUMED", "LOST", "REDELIVERED", "LOSS BOUND"],
        regions.map {
          [
            $0.region, "\($0.produced)", "\($0.acknowledged)", "\($0.consumed)", "\($0.lost)", "\($0.redelivered)",
            expectedLossBound.map { "\($0)" } ?? "unknown",
          ]
        })
      out += "\nwest's clients were shown \(unmovedRegionViews.joined(separator: ", ")) throughout"
      out += unmovedRegionViews.count == 1 ? " (never moved, never reconnected)\n" : " (they MOVED)\n"
    } else {
      out += renderTotals()
    }
    return out + renderRest()
  }

  private func renderTotals() -> String {
    TextTable.render(
      ["PRODUCED", "ACKED", "CONSUMED", "LOST", "REDELIVERED", "LOSS BOUND"],
      [
        [
          "\(produced)", "\(acknowledged)", "\(consumed)", "\(lost)", "\(redelivered)",
          expectedLossBound.map { "\($0)" } ?? "unknown",
        ]
      ]) + "\n"
  }

  private func renderRest() -> String {
    var out = ""
    func s(_ v: Double?) -> String { v.map { String(format: "%.1f s", $0) } ?? "n/a" }
    out += "detection \(s(detectionSeconds)), failover \(s(failoverSeconds))"
    if scenario == .failback { out += ", failback \(s(failbackSeconds))" }
    if scenario == .controlPlane {
      out += ", leader \(leaderBefore ?? "?") -> \(leaderAfter ?? "?") in \(s(leaderTakeoverSeconds))"
    }
    out += "; \(groupsTranslated) consumer groups translated\n"
    for m in failovers {
      out +=
        "  failover \(m.id) \(m.service) \(m.from)->\(m.to) (\(m.kind), \(m.requestedBy)): \(m.status)"
        + (m.seconds.map { String(format: " in %.2f s", $0) } ?? "") + "\n"
    }
    out +=
      "after: "
      + servicesAfter.map { "\($0.service) on \($0.activeCluster) at epoch \($0.epoch)" }
      .joined(separator: ", ") + "\n"
    if scenario == .recover {
      out +=
        "\n"
        + TextTable.render(
          ["STAGE", "ACKED", "CONSUMED", "LOST SO FAR", "DELIVERED TWICE"],
          stages.map {
            ["\($0.stage)", "\($0.acknowledged)", "\($0.consumed)", "\($0.lostSoFar)", "\($0.redelivered)"]
          }) + "\n"
      out +=
        "tail east kept: \(tailRecords ?? 0) records; recovered into west: \(recoveredRecords ?? 0); "
        + "read by the consumers: \(tailRead ?? 0), of them more than once: \(tailReadTwice ?? 0)\n"
      if let i = independent {
        out +=
          "independent consumer (\(i.client)): read \(i.read) of \(i.acknowledged) acknowledged, lost \(i.lost); "
          + "\(i.readTwice) read more than once, \(i.tailReadTwice) of them of the tail (read on east before it died, "
          + "then recovered)\n"
      } else {
        out += "independent consumer: not run (no .venv-clients: make deps installs confluent-kafka)\n"
      }
    }
    switch scenario {
    case .activeActive:
      let worst = regions.map(\.lost).max() ?? 0
      out +=
        invariantHolds
        ? "east's tail (at most \(tailRecords ?? 0) records at the failover) reached west through replication once "
          + "east was back: no region lost anything for good, and only east's clients moved\n"
        : "the promise did NOT hold: lost up to \(worst) for good (the tail was at most \(tailRecords ?? 0)), west's "
          + "clients saw " + unmovedRegionViews.joined(separator: ", ") + "\n"
    case .unplanned, .controlPlane:
      out +=
        invariantHolds
        ? "lost \(lost) ≤ the predicted bound \(expectedLossBound ?? 0): the orchestrator's estimate held\n"
        : "lost \(lost) > the predicted bound \(expectedLossBound ?? 0): the estimate did NOT hold\n"
    default:
      out += invariantHolds ? "nothing acknowledged was lost\n" : "\(lost) acknowledged records were LOST\n"
    }
    out += "state database: \(database)"
    return out
  }
}
