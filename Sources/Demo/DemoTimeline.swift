import ControlService
import ControlServiceClient
import Foundation
import KafkaLab
import Orchestrator
import Topology

/// The demo's live view, read the way an operator would: through the control service's
/// API (`/v1/status`, `/v1/failovers`) and the traffic's ledger. Once a second it prints
/// the traffic rates, cluster health and flow lag, and as they happen every failover step.
struct DemoTimeline: Sendable {
  let api: ControlClient
  let ledger: TrafficLedger
  let say: @Sendable (String) -> Void

  func run() async {
    var seen: Set<String> = []
    var previous = await ledger.totals
    var last = ContinuousClock.now
    while !Task.isCancelled {
      try? await Task.sleep(for: .seconds(1))
      let totals = await ledger.totals
      let now = ContinuousClock.now
      let seconds = max(0.001, (now - last) / .seconds(1))
      let produced = Double(totals.acknowledged - previous.acknowledged) / seconds
      let consumed = Double(totals.consumed - previous.consumed) / seconds
      (previous, last) = (totals, now)
      if let status = try? await api.status() {
        let clusters = status.clusters.map { "\($0.cluster) \($0.state)" }.joined(separator: ", ")
        let lag = status.flows.map { "\($0.flow) \($0.recordsBehind.map { "\($0)" } ?? "n/a")" }
          .joined(separator: ", ")
        let placement = status.services.map { "\($0.service)→\($0.activeCluster)\($0.writable ? "" : " (fenced)")" }
          .joined(separator: " ")
        say(
          String(format: "traffic %5.0f/s acked, %5.0f/s consumed", produced, consumed)
            + " | \(clusters) | lag \(lag) | \(placement)")
      }
      if let failovers = try? await api.failovers(limit: 20) {
        for f in failovers {
          for step in f.steps where step.status.isComplete || step.status == .failed {
            let key = "\(f.id)/\(step.seq)/\(step.status)/\(step.attempt)"
            guard seen.insert(key).inserted else { continue }
            say(
              "  failover \(f.id) \(f.service) \(f.sourceCluster)->\(f.targetCluster): \(step.name) \(step.status)"
                + (step.details.isEmpty ? "" : " (\(Self.short(step.details)))"))
          }
          if f.status.isFinished, seen.insert("\(f.id)/end").inserted {
            say("  failover \(f.id) \(f.service): \(f.status)")
          }
        }
      }
    }
  }

  static func short(_ s: String) -> String { s.count <= 90 ? s : String(s.prefix(87)) + "..." }
}
