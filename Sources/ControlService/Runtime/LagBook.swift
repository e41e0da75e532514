import Foundation
import KafkaClient
import Orchestrator
import Topology

/// The last measured lag of every flow (with the source's high watermarks), its
/// checkpoint age, and how fast its source was being written. Once a source is gone its
/// last values stand: they are what an unplanned failover loses, and what the RPO budget
/// is checked against.
public actor LagBook {
  public init() {}
  /// The last measurement that knew the source's high watermarks, and when it was taken.
  private var last: [String: (lag: FlowLag, at: Date)] = [:]
  private var checkpointAge: [String: Double] = [:]
  /// Records per second written to the source between the last few measurements.
  private var rates: [String: [Double]] = [:]
  private var history = LagHistory()

  func update(_ flow: String, _ m: FlowLag, at now: Date = Date()) {
    if let a = m.checkpointAgeSeconds { checkpointAge[flow] = a }
    // A source that did not answer leaves the last real measurement standing.
    guard m.source == .live, let behind = m.recordsBehind else { return }
    history.record(
      flow, LagHistory.Sample(at: now, recordsBehind: behind, checkpointAgeSeconds: checkpointAge[flow]))
    if let previous = last[flow], now > previous.at, previous.lag.partitions.count == m.partitions.count {
      let written = Self.written(m) - Self.written(previous.lag)
      rates[flow, default: []].append(max(0, Double(written) / now.timeIntervalSince(previous.at)))
      if rates[flow]!.count > 5 { rates[flow]!.removeFirst() }
    }
    last[flow] = (m, now)
  }

  private static func written(_ m: FlowLag) -> Int64 { m.partitions.compactMap(\.sourceHighWatermark).reduce(0, +) }

  var snapshot: ([String: Int64], [String: Double]) {
    (last.compactMapValues(\.lag.recordsBehind), checkpointAge)
  }

  func records(_ flow: String) -> Int64? { last[flow]?.lag.recordsBehind }

  /// Whether `flow`'s lag or checkpoint age is still unknown here: what a measurement from
  /// the store alone can give while its source does not answer.
  func lacksMeasurement(_ flow: String) -> Bool { last[flow] == nil || checkpointAge[flow] == nil }

  /// For a flow whose source is judged unreachable: what the store holds (`m`, measured
  /// without the source) stands in for what this book never measured itself — the source's
  /// watermarks at the time they were stored, the newest checkpoint's age when first seen
  /// without the source. What was measured here stays: once a source is gone, its last
  /// values are the ones that count.
  func standIn(_ flow: String, _ m: FlowLag, at now: Date = Date()) {
    if checkpointAge[flow] == nil, let a = m.checkpointAgeSeconds { checkpointAge[flow] = a }
    if last[flow] == nil, m.source == .lastKnown, m.recordsBehind != nil { last[flow] = (m, m.sourceMeasuredAt ?? now) }
  }

  /// Flows whose last measurement found no offset-sync on any partition: nothing replicated,
  /// so nothing for MM2 to checkpoint.
  var unsyncedFlows: Set<String> {
    Set(last.filter { $0.value.lag.partitions.allSatisfy { $0.newestSyncUpstream == nil } }.keys)
  }

  /// What failing over `flow` now can lose: the lag last measured, plus what the source
  /// may have taken since at the fastest rate recently seen (the source was alive then and
  /// failed at some point after). An upper bound as long as the write rate did not jump.
  public func expectedLoss(_ flow: String, now: Date = Date()) -> Int64? {
    guard let (lag, at) = last[flow], let behind = lag.recordsBehind else { return nil }
    guard let rate = rates[flow]?.max() else { return behind }
    return behind + Int64((rate * max(0, now.timeIntervalSince(at))).rounded(.up))
  }

  /// A flow's measured lag over the last `seconds`, oldest first (the console's chart).
  func history(_ flow: String, seconds: TimeInterval, now: Date = Date()) -> [LagHistory.Sample] {
    history.samples(flow, seconds: seconds, now: now)
  }

  /// The source's high watermarks as last measured.
  func highWatermarks(_ flow: String) -> [TopicPartition: Int64] {
    var out: [TopicPartition: Int64] = [:]
    for p in last[flow]?.lag.partitions ?? [] {
      if let h = p.sourceHighWatermark { out[TopicPartition(p.topic, p.partition)] = h }
    }
    return out
  }
}
