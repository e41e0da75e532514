import Foundation
import KafkaConnect
import Orchestrator
import TestSupport
import Testing
import Topology

@testable import ControlService

/// After a recovery, the old primary's MirrorSourceConnector is moved past the tail, or
/// the recovery says what to do by hand.
@Suite("The flow from the old primary after a recovery")
struct RecoveredTailReplicationTests {
  static func topology(connectURL: String?) -> Topology {
    var t = AutoFailoverTests.topology
    t.flows[0].connectURL = connectURL
    return t
  }

  static let record = RecoveryRecord(
    id: 4, service: "orders", failoverId: 2, sourceCluster: "east", targetCluster: "west", into: .active,
    status: .running, requestedBy: "token:ops", reason: "", error: nil, createdAt: Date(), finishedAt: nil,
    partitions: [
      RecoveryPartition(
        topic: "orders", partition: 0, destTopic: "orders", destPartition: 0, tailStart: 12, tailEnd: 20, next: 20,
        copied: 8),
      RecoveryPartition(
        topic: "orders", partition: 1, destTopic: "orders", destPartition: 1, tailStart: 5, tailEnd: 9, next: 9,
        copied: 4),
    ])

  @Test func thePausedConnectorGoesOnAfterTheTailAndStaysPaused() async throws {
    let connect = RecordingConnect()
    connect.setConnectorState(ConnectorStatus.paused)
    let note = await RecoveryRunner.skipRecoveredTail(
      Self.record, topology: Self.topology(connectURL: "http://connect:8083"), store: InMemoryCoordinationStore(),
      connect: connect)
    #expect(note.contains("east->west goes on after the recovered tail"), "\(note)")
    let call = try #require(connect.offsetCalls.first)
    #expect(call.connector == "MirrorSourceConnector" && call.then == .pause && call.baseURL == "http://connect:8083")
    // MM2 stores the last offset copied: the tail's last, so that it goes on at tailEnd.
    #expect(
      call.offsets.offsets == [
        .mirrorSource(cluster: "east", topic: "orders", partition: 0, next: 20),
        .mirrorSource(cluster: "east", topic: "orders", partition: 1, next: 9),
      ])
    #expect(call.offsets.offsets[0].offset == ["offset": .int(19)])
  }

  /// An active-active lane's tail is copied by MM2, whose flows its failover left running.
  @Test func anActiveActiveLaneIsNotRecovered() async throws {
    let world = try await AutoFailoverTests.World(topology: AutoFailoverTests.activeActive)
    let lane = try #require(world.topology.service("orders@r-east"))
    await #expect {
      _ = try await world.runtime.recoveries.begin(
        lane, into: .active, quarantine: "{topic}.recovered", dryRun: true, reason: "", actor: "test")
    } throws: { error in
      "\(error)".contains("lane of an active-active service") && "\(error)".contains("deliver it twice")
    }
  }

  @Test func aConnectWithoutTheOffsetsAPIOrNoURLIsSaidWithWhatToDoByHand() async throws {
    let old = RecordingConnect()
    old.setWithoutOffsetsAPI(true)
    let refused = await RecoveryRunner.skipRecoveredTail(
      Self.record, topology: Self.topology(connectURL: "http://connect:8083"), store: InMemoryCoordinationStore(),
      connect: old)
    #expect(refused.contains("not moved past the tail") && refused.contains("Connect 3.6"), "\(refused)")
    #expect(refused.contains("orders[0] offset 19, orders[1] offset 8"), "\(refused)")

    let none = RecordingConnect()
    let unnamed = await RecoveryRunner.skipRecoveredTail(
      Self.record, topology: Self.topology(connectURL: nil), store: InMemoryCoordinationStore(), connect: none)
    #expect(unnamed.hasPrefix("no Connect URL for east->west") && none.offsetCalls.isEmpty, "\(unnamed)")
  }
}
