import Foundation
import KafkaClient
import Orchestrator

/// The last measured lag of every flow (with the source's high watermarks), its
/// checkpoint age, and how fast its source was being written. Once a source is gone its
/// last values stand: they are what an unplanned failover loses, and what the RPO budget
/// is checked against.
public actor LagBook {
  public init() {}
  private var measured: [String: FlowLag] = [:]
  private var lag: [String: Int64] = [:]
  private var checkpointAge: [String: Double] = [:]
  private var lastAt: [String: Date] = [:]
  /// Records per second written to the source between the last few measurements.
  private var rates: [String: [Double]] = [:]

  func update(_ flow: String, _ m: FlowLag, at now: Date = Date()) {
    if let a = m.checkpointAgeSeconds { checkpointAge[flow] = a }
    // A source that did not answer leaves the last real measurement standing.
    guard let behind = m.recordsBehind else { return }
    let written = m.partitions.compactMap(\.sourceHighWatermark).reduce(0, +)
    if let previous = measured[flow], let at = lastAt[flow], now > at,
      previous.partitions.count == m.partitions.count
    {
      let before = previous.partitions.compactMap(\.sourceHighWatermark).reduce(0, +)
      rates[flow, default: []].append(max(0, Double(written - before) / now.timeIntervalSince(at)))
      if rates[flow]!.count > 5 { rates[flow]!.removeFirst() }
    }
    measured[flow] = m
    lastAt[flow] = now
    lag[flow] = behind
  }

  var snapshot: ([String: Int64], [String: Double]) { (lag, checkpointAge) }

  public func records(_ flow: String) -> Int64? { lag[flow] }

  /// What failing over `flow` now can lose: the lag last measured, plus what the source
  /// may have taken since at the fastest rate recently seen (the source was alive then and
  /// failed at some point after). An upper bound as long as the write rate did not jump.
  public func expectedLoss(_ flow: String, now: Date = Date()) -> Int64? {
    guard let behind = lag[flow] else { return nil }
    guard let at = lastAt[flow], let rate = rates[flow]?.max() else { return behind }
    return behind + Int64((rate * max(0, now.timeIntervalSince(at))).rounded(.up))
  }

  /// The source's high watermarks as last measured.
  func highWatermarks(_ flow: String) -> [TopicPartition: Int64] {
    var out: [TopicPartition: Int64] = [:]
    for p in measured[flow]?.partitions ?? [] {
      if let h = p.sourceHighWatermark { out[TopicPartition(p.topic, p.partition)] = h }
    }
    return out
  }
}
