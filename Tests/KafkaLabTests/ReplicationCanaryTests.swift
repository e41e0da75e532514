import Foundation
import HealthProbes
import KafkaClient
import KafkaLab
import MM2
import Orchestrator
import TestSupport
import Testing
import Topology

/// A flow's canary through the lab's MM2-style mirror on librdkafka mock clusters: its
/// latency while the mirror copies; degraded, with the reason, once the mirror stops
/// copying while its heartbeats go on; healthy again once copies arrive.
@Suite("The replication canary")
struct ReplicationCanaryTests {
  @Test func aStuckMirrorThatStillHeartbeatsDegradesTheFlow() async throws {
    let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
    let topology = lab.topology
    let flow = try #require(topology.flow(from: "east", to: "west"))
    var settings = MirrorSettings()
    settings.heartbeatInterval = .milliseconds(200)
    let mirror = try LabMirror(
      flow: flow, topology: topology, topics: ["orders", FlowCanary.defaultTopic], groups: [], settings: settings)
    let running = Task { await mirror.run() }
    defer { running.cancel() }
    let canary = ReplicationCanary(
      flow: flow, settings: FlowCanary(interval: .milliseconds(200), timeout: .seconds(1)),
      source: try topology.cluster("east")!.makeClient(), target: try topology.cluster("west")!.makeClient())

    // Copying: the copies arrive, with a measured latency. On a loaded machine the first
    // copies may take longer than the 1 s timeout (rightly degraded then): wait for a tick
    // whose copies arrived in time.
    var last = await canary.tick(wait: .seconds(2))
    let arrived = await eventually("a canary copy arrives within its timeout") {
      last = await canary.tick(wait: .seconds(2))
      return await canary.state.arrived > 0 && last.state == .healthy
    }
    try #require(arrived, "\(last)")
    #expect(last.state == .healthy && last.reasons.first?.hasPrefix("canary latency") == true, "\(last)")
    let latency = try #require(await canary.state.lastLatencySeconds)
    #expect(latency >= 0 && latency < 5)

    // The mirror stops copying; its heartbeats go on.
    await mirror.stall(true)
    let west = try topology.cluster("west")!.makeClient()
    let beats = TopicPartition(flow.remoteHeartbeatsTopic, 0)
    let beatsBefore = try await west.watermarks(for: [beats])[beats]?.high ?? 0
    let degraded = await eventually("the canary degrades the flow") {
      last = await canary.tick(wait: .milliseconds(300))
      return last.state == .degraded
    }
    try #require(degraded, "\(last)")
    #expect(
      last.reasons.first?.contains("have not reached east.failoverctl.canary on west within 1 s") == true, "\(last)")
    #expect(await canary.state.lost > 0)
    let beatsAfter = try await west.watermarks(for: [beats])[beats]?.high ?? 0
    #expect(beatsAfter > beatsBefore, "the heartbeats stopped too: this tested nothing")

    // Copying again: healthy once a copy arrives.
    await mirror.stall(false)
    let healthy = await eventually("the canary is healthy again") {
      last = await canary.tick(wait: .seconds(2))
      return last.state == .healthy
    }
    #expect(healthy, "\(last)")
  }
}
