import Foundation
import HealthProbes
import KafkaClient
import Topology

/// Per flow: records behind (source high watermarks vs the newest replicated upstream
/// offsets), time behind (age of the newest heartbeat replicated to the target) and
/// checkpoint age, from the MM2 state the ingester keeps, against thresholds.
public struct ReplicationLagProbe: Sendable {
  public let flow: Flow
  public let store: StateStore
  public let source: (any KafkaOperations)?
  public let thresholds: LagThresholds

  public init(flow: Flow, store: StateStore, source: (any KafkaOperations)?, thresholds: LagThresholds) {
    self.flow = flow
    self.store = store
    self.source = source
    self.thresholds = thresholds
  }

  public func run() async -> ProbeResult {
    let result = ProbeStopwatch(kind: .replicationLag, subject: flow.name).result
    let lag: FlowLag
    do { lag = try await FlowLag.measure(flow: flow, store: store, source: source) } catch {
      return result(.degraded, ["lag unknown: \(error)"])
    }
    let reasons = Self.judge(lag, thresholds)
    return result(reasons.isEmpty ? .healthy : .degraded, reasons)
  }

  /// The thresholds a measurement exceeds, as reasons; no data counts as exceeding.
  public static func judge(_ lag: FlowLag, _ t: LagThresholds) -> [String] {
    var reasons: [String] = []
    if let max = t.maxRecordsBehind {
      if let behind = lag.recordsBehind {
        if behind > max { reasons.append("\(behind) records not yet replicated (max \(max))") }
      } else {
        reasons.append("records behind unknown (the source has never answered)")
      }
    }
    func age(_ seconds: Double?, _ limit: Duration?, _ what: String) {
      guard let limit else { return }
      let limitSeconds = limit / .seconds(1)
      guard let seconds else {
        reasons.append("no \(what) ingested yet")
        return
      }
      if seconds > limitSeconds {
        reasons.append(String(format: "newest %@ is %.0f s old (max %.0f s)", what, seconds, limitSeconds))
      }
    }
    age(lag.heartbeatAgeSeconds, t.maxHeartbeatAge, "heartbeat")
    age(lag.checkpointAgeSeconds, t.maxCheckpointAge, "checkpoint")
    return reasons
  }
}
