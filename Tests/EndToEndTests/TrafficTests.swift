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
    #expect(
      await eventually("100 records acknowledged", timeout: .seconds(30)) {
        await traffic.ledger.totals.acknowledged >= 100
      })
    let before = await traffic.ledger.totals

    let switched = try await f.switchOver("/v1/services/orders/promote", #"{"to": "west", "reason": "drill"}"#)
    #expect(switched.status == .succeeded, "\(switched)")
    // Writes go on through the new cluster: 200 more acknowledged (a second at the rate).
    let atSwitch = await traffic.ledger.totals
    _ = await eventually("200 records acknowledged after the switch", timeout: .seconds(30)) {
      await traffic.ledger.totals.acknowledged >= atSwitch.acknowledged + 200
    }
    stop.set()
    // Let the consumer drain what was acknowledged.
    _ = await eventually("every acknowledged record read", timeout: .seconds(10), every: .milliseconds(200)) {
      await traffic.ledger.totals.lost == 0
    }
    let totals = await traffic.ledger.totals
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
