import Foundation
import KafkaClient
import Orchestrator
import Synchronization
import TestSupport
import Testing
import Topology

/// Recovering the tail from the old primary to the active cluster, against in-memory
/// clusters: every record once, with its origin named, whatever kills the copy.
@Suite("Recovery of the unreplicated tail")
struct RecovererTests {
  let east = InMemoryKafkaCluster(name: "east")
  let west = InMemoryKafkaCluster(name: "west")
  let store: StateStore
  let coordination = InMemoryCoordinationStore()

  init() async throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rec-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    store = try await StateStore.open(path: dir.appendingPathComponent("s.db").path)
    east.topic("orders", highs: [0, 0])
    west.topic("orders", highs: [0, 0])
    west.topic("orders.recovered", highs: [0])
    // East's tail: offsets 12..<20 of orders-0 and 3..<6 of orders-1.
    east.append(
      TopicPartition("orders", 0), (0..<20).map { (key: "k\($0)", value: "v\($0)", timestamp: Int64(1000 + $0)) })
    east.append(
      TopicPartition("orders", 1), (0..<6).map { (key: "m\($0)", value: "w\($0)", timestamp: Int64(2000 + $0)) })
    // West's own traffic on orders-0 before the recovery.
    west.append(TopicPartition("orders", 0), [(key: "west", value: "live", timestamp: 1)])
  }

  func open(_ into: RecoveryTarget = .active) async throws -> RecoveryRecord {
    let d = Divergence(
      service: "orders", failoverId: 1, oldPrimary: "east", active: "west", oldPrimaryAnswers: true,
      measuredAt: Date(), records: 11,
      partitions: [tail(0, 12, 20), tail(1, 3, 6)])
    let partitions = try RecoveryPlanner.plan(
      d, into: into, quarantine: "{topic}.recovered", destinationPartitions: ["orders": 2, "orders.recovered": 1])
    return try await store.openRecovery(
      service: "orders", failoverId: 1, sourceCluster: "east", targetCluster: "west", into: into, requestedBy: "test",
      reason: "", partitions: partitions)
  }

  func tail(_ p: Int32, _ start: Int64, _ end: Int64) -> DivergentPartition {
    DivergentPartition(
      topic: "orders", partition: p, copyTopic: "east.orders", tailStart: start, tailEnd: end, records: end - start,
      expired: 0, writtenAfterFailover: nil, firstTimestamp: nil, lastTimestamp: nil, sampleKeys: [], basis: .matched)
  }

  func recoverer(batch: Int = 3) -> Recoverer {
    var r = Recoverer(store: store, coordination: coordination, source: east, target: west)
    r.batchSize = batch
    return r
  }

  /// The recovered copies of east's orders-`p` in west's `topic` (any partition), by origin
  /// offset, in the order west holds them.
  func copies(_ p: Int32, in topic: String = "orders") -> [Int64] {
    let records = west.state.withLock { s in
      s.records.filter { $0.key.topic == topic }.sorted { $0.key.partition < $1.key.partition }.flatMap(\.value)
    }
    return records.compactMap { Recoverer.originOffset($0, cluster: "east", topic: "orders", partition: p) }
  }

  @Test func everyRecordOfTheTailIsCopiedOnceWithItsOrigin() async throws {
    let done = await recoverer().run(try await open())
    #expect(done.status == .succeeded && done.copied == 11, "\(done)")
    #expect(copies(0) == Array(12..<20) && copies(1) == [3, 4, 5])
    let first = try #require(west.state.withLock { $0.records[TopicPartition("orders", 0)]?[1] })
    #expect(first.key == Array("k12".utf8) && first.value == Array("v12".utf8) && first.timestamp == 1012)
    #expect(done.partitions[0].destFirst == 1 && done.partitions[0].destLast == 8)
    // Running it again (a resumed run of a finished recovery) copies nothing.
    _ = await recoverer().run(try #require(try await store.recovery(id: done.id)))
    #expect(copies(0).count == 8)
  }

  /// Killed between a batch's acknowledgement and its journal entry, at every batch: each
  /// resume finds what the last batch wrote and goes on after it.
  @Test(arguments: [1, 2, 3, 4])
  func aRecoveryKilledAfterAnyBatchAndResumedCopiesNothingTwice(killedAt batch: Int) async throws {
    let record = try await open()
    let batches = Mutex(0)
    var killing = recoverer()
    killing.afterProduce = {
      let n = batches.withLock { n in
        n += 1
        return n
      }
      if n == batch { throw RecoveryError("killed after batch \(n)") }
    }
    let killed = await killing.run(record)
    #expect(killed.status == .failed)
    try await store.reopenRecovery(record.id)
    let resumed = await recoverer().run(try #require(try await store.recovery(id: record.id)))
    #expect(resumed.status == .succeeded, "\(resumed.error ?? "")")
    #expect(copies(0) == Array(12..<20) && copies(1) == [3, 4, 5])
    #expect(resumed.copied == 11)
  }

  /// West refuses writes part-way through a batch: what it took is found on the resume.
  @Test func aBatchThatFailedHalfWayIsNotWrittenAgain() async throws {
    let record = try await open()
    west.state.withLock { $0.failProducesAfter = 4 }
    #expect(await recoverer().run(record).status == .failed)
    west.state.withLock { $0.failProducesAfter = nil }
    try await store.reopenRecovery(record.id)
    let resumed = await recoverer().run(try #require(try await store.recovery(id: record.id)))
    #expect(resumed.status == .succeeded)
    #expect(copies(0) == Array(12..<20) && copies(1) == [3, 4, 5])
  }

  @Test func intoQuarantineTheCopiesGoToTheQuarantineTopic() async throws {
    let done = await recoverer().run(try await open(.quarantine))
    #expect(done.status == .succeeded)
    // One partition there: both of east's partitions land in it, each in its order.
    #expect(copies(0, in: "orders.recovered") == Array(12..<20) && copies(1, in: "orders.recovered") == [3, 4, 5])
    #expect(copies(0).isEmpty)
  }

  /// Retention took part of the tail before the recovery read it: the rest is copied.
  @Test func recordsRetentionTookAreSkipped() async throws {
    let record = try await open()
    east.truncate(TopicPartition("orders", 0), before: 15)
    let done = await recoverer().run(record)
    #expect(done.status == .succeeded)
    #expect(copies(0) == Array(15..<20))
  }

  /// A deposed leader copies nothing more.
  @Test func aFollowerCopiesNothing() async throws {
    await coordination.setLeadership(.follower(leader: "b"))
    let done = await recoverer().run(try await open())
    #expect(done.status == .failed && (done.error ?? "").contains("no longer the leader"))
    #expect(copies(0).isEmpty)
  }
}
