import Foundation
import Topology

extension FailoverExecutor {
  /// Added to the lease: a heartbeat sent just before the fence may reach a client a
  /// little after it, and clients' clocks run at slightly different rates.
  static let leaseMargin: Duration = .seconds(1)

  /// Waits until the service's discovery lease plus the margin has passed since the fence
  /// was committed (journaled, so a restarted orchestrator waits only what is left), and
  /// says how long that was. A client that honours the lease has by then seen the fence
  /// or stopped producing for want of a fresh document.
  func waitForLeases(_ r: FailoverRecord, _ settings: FailoverSettings) async throws -> (String, StepStatus) {
    guard settings.fence, settings.waitForLeases else {
      return ("the policy does not wait for client leases", .skipped)
    }
    guard let fence = try await store.failover(id: r.id)?.steps.first(where: { $0.name == .fenceSource }),
      fence.status == .done, let fencedAt = fence.finishedAt
    else { return ("the source was not fenced: no lease to wait out", .skipped) }
    let lease = topology.service(r.service)?.leaseSeconds ?? Service.defaultLeaseSeconds
    let total = Duration.seconds(lease) + discoveryStaleness + Self.leaseMargin
    let remaining = total - .seconds(now().timeIntervalSince(fencedAt))
    if remaining > .zero { try await clock.sleep(for: remaining) }
    let waited = max(.zero, remaining) / .seconds(1)
    let whole = total / .seconds(1)
    let parts =
      "\(lease) s"
      + (discoveryStaleness > .zero ? " + \(Int(discoveryStaleness / .seconds(1))) s for a cut-off instance" : "")
      + " + 1 s"
    if waited >= whole - 0.05 {
      return (String(format: "waited %.1f s after the fence for client leases (%@)", waited, parts), .done)
    }
    // Resumed after a restart: part of the wait passed before it.
    return (
      String(format: "waited %.1f s: client leases (%@) ran out %.1f s after the fence", waited, parts, whole), .done
    )
  }
}
