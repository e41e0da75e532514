import Foundation
import HealthProbes
import KafkaClient
import Orchestrator
import Synchronization
import TestSupport
import Testing
import Topology

/// The canary's decisions on in-memory clusters and an injected time: latency as the copy
/// is read, another instance's records left alone, a copy missing past the timeout lost
/// and the flow degraded until one arrives, a source that refuses the write.
@Suite("The replication canary's decisions")
struct ReplicationCanaryDecisionTests {
  let east = InMemoryKafkaCluster(name: "east")
  let west = InMemoryKafkaCluster(name: "west")
  let flow = Flow(source: "east", target: "west")
  let clock = Now()
  let source = TopicPartition("failoverctl.canary", 0)
  let copy = TopicPartition("east.failoverctl.canary", 0)

  init() {
    east.topic("failoverctl.canary", highs: [0])
    west.topic("east.failoverctl.canary", highs: [0])
  }

  /// What MM2 would do: every record of the source not yet in the copy, copied.
  func replicate() async throws {
    let have = try await west.watermarks(for: [copy], timeout: nil)[copy]?.high ?? 0
    let records = try await east.read(source, from: have, until: nil, maxRecords: 1000, timeout: nil)
    _ = try await west.produce(
      records.map {
        ProducerRecord(topic: copy.topic, partition: 0, key: $0.key, value: $0.value, timestamp: $0.timestamp)
      },
      timeout: nil)
  }

  func tick(_ canary: ReplicationCanary, after seconds: Double) async -> ProbeResult {
    let now = clock.advance(seconds)
    return await canary.tick(wait: .zero, now: { now })
  }

  @Test func arrivalsLossesAndTheFlowsVerdict() async throws {
    let canary = ReplicationCanary(
      flow: flow, settings: FlowCanary(interval: .seconds(5), timeout: .seconds(30)), source: east, target: west,
      instance: "me")
    var r = await tick(canary, after: 0)
    let sent = await canary.state.sent
    #expect(r.state == .healthy && r.reasons == ["canary on its way"] && sent == 1)

    // Another orchestrator's canary in the same topic is not this one's.
    _ = try await east.produce(
      [ProducerRecord(topic: source.topic, partition: 0, value: Array("failoverctl-canary east->west other 1 5".utf8))],
      timeout: nil)
    try await replicate()
    r = await tick(canary, after: 2)
    var s = await canary.state
    #expect(s.arrived == 1 && s.sent == 2 && s.lastLatencySeconds == 2, "\(s)")
    #expect(r.state == .healthy && r.reasons == ["canary latency 2.0 s"])

    // Copying stops: the second, 40 s old, is lost past the 30 s timeout; the flow degraded.
    r = await tick(canary, after: 20)
    #expect(r.state == .healthy)
    r = await tick(canary, after: 20)
    s = await canary.state
    #expect(s.lost == 1 && r.state == .degraded, "\(s) \(r)")
    #expect(
      r.reasons == [
        "canary records written to failoverctl.canary on east have not reached east.failoverctl.canary on west "
          + "within 30 s (1 lost; the last arrived 40 s ago)"
      ])
    // Degraded until a copy arrives again; the lost one's late copy is not counted as arrived.
    r = await tick(canary, after: 5)
    #expect(r.state == .degraded)
    try await replicate()
    r = await tick(canary, after: 1)
    s = await canary.state
    #expect(r.state == .healthy && s.lost == 1 && s.arrived == 4 && s.oldestPendingSeconds == 0, "\(s) \(r)")

    // The source refuses the write: degraded with why.
    east.setDown(true)
    r = await tick(canary, after: 5)
    #expect(
      r.state == .degraded && r.reasons.first?.hasPrefix("canary not written to failoverctl.canary on east") == true)
  }
}

/// The time the canary is told, moved by the test.
final class Now: Sendable {
  private let date = Mutex(Date(timeIntervalSince1970: 1_700_000_000))

  func advance(_ seconds: Double) -> Date {
    date.withLock { d in
      d = d.addingTimeInterval(seconds)
      return d
    }
  }
}
