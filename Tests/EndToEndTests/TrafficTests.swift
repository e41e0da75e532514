import CurlHTTP
import Foundation
import KafkaLab
import Synchronization
import TestSupport
import Testing

@Suite("Traffic that follows discovery through a planned switchover", .serialized)
struct TrafficTests {
  @Test func aPlannedSwitchoverLosesNothing() async throws {
    let r = try await AutoFailoverTests.start(policy: AutoFailoverTests.automatic)
    let f = r.fixture
    let topology = r.lab.topology
    let mirror = try LabMirror(
      flow: topology.flow(from: "east", to: "west")!, topology: topology, topics: ["orders"],
      groups: ["orders-processor"])
    let replicating = Task { await mirror.run() }
    defer { replicating.cancel() }
    let stop = StopFlag()
    let traffic = LabTraffic(
      service: "orders", group: "orders-processor", servers: [f.server.url],
      recordsPerSecond: 200)
    let running = Task { await traffic.run(stopProducing: { stop.isSet }) }
    defer { running.cancel() }
    // Traffic first, however slow the machine: the switchover must happen under writes.
    var before = await traffic.ledger.totals
    for _ in 0..<300 where before.acknowledged < 100 {
      try await Task.sleep(for: .milliseconds(100))
      before = await traffic.ledger.totals
    }
    #expect(before.acknowledged > 0)

    let switched = try await f.switchOver("/v1/services/orders/promote", #"{"to": "west", "reason": "drill"}"#)
    #expect(switched["status"] as? String == "succeeded", "\(switched)")
    try await Task.sleep(for: .seconds(3))
    stop.set()
    // Let the consumer drain what was acknowledged.
    var totals = await traffic.ledger.totals
    for _ in 0..<50 where totals.lost > 0 {
      try await Task.sleep(for: .milliseconds(200))
      totals = await traffic.ledger.totals
    }
    #expect(totals.acknowledged > before.acknowledged, "no traffic after the switch")
    print("traffic through the switchover: \(totals)")
    #expect(totals.lost == 0, "\(totals)")
    #expect(totals.consumed >= totals.acknowledged)
    let view = await traffic.follower.current()
    #expect(view.cluster == "west")
    _ = await f.server.stop()
  }
}

/// A flag set once from one task and read from others.
final class StopFlag: Sendable {
  private let box = Mutex(false)
  func set() { box.withLock { $0 = true } }
  var isSet: Bool { box.withLock { $0 } }
}
