import Foundation
import KafkaClient
import Orchestrator
import TestSupport
import Testing
import Topology

/// The unplanned failover's tail on the old primary, measured against in-memory clusters:
/// the records east acknowledged whose copy never reached west.
@Suite("The unreplicated tail, measured")
struct TailMeasurementTests {
  let flow = Flow(source: "east", target: "west")
  let east = InMemoryKafkaCluster(name: "east")
  let west = InMemoryKafkaCluster(name: "west")
  let orders = TopicPartition("orders", 0)
  let copy = TopicPartition("east.orders", 0)

  /// `count` records on east's orders-0, keys `k0`..., timestamps 1000...
  func write(_ count: Int, from first: Int = 0) {
    east.append(orders, (first..<first + count).map { (key: "k\($0)", value: "v\($0)", timestamp: Int64(1000 + $0)) })
  }

  /// Copies the upstream offsets `upstream` to west's east.orders-0, in order, as MM2 does.
  func replicate(_ upstream: [Int]) {
    west.append(copy, upstream.map { (key: "k\($0)", value: "v\($0)", timestamp: Int64(1000 + $0)) })
  }

  func history(_ syncs: [(Int64, Int64)]) -> [TopicPartition: OffsetSyncHistory] {
    [orders: OffsetSyncHistory(syncs: syncs.map { OffsetSyncHistory.Sync(upstream: $0.0, downstream: $0.1) })]
  }

  func measure(_ syncs: [(Int64, Int64)], journaled: [JournaledTail] = []) async throws -> [DivergentPartition] {
    try await TailMeasurement(flow: flow, topics: ["orders"]).measure(
      source: east, target: west, histories: history(syncs), journaled: journaled)
  }

  init() {
    east.topic("orders", highs: [0])
    west.topic("east.orders", highs: [0])
  }

  @Test func theTailStartsRightAfterTheCopysLastRecord() async throws {
    write(20)
    replicate(Array(0..<12))
    let tail = try #require(try await measure([(0, 0), (10, 10)]).first)
    #expect(tail.basis == .matched)
    #expect(tail.tailStart == 12 && tail.tailEnd == 20 && tail.records == 8 && tail.expired == 0)
    #expect(tail.firstTimestamp == 1012 && tail.lastTimestamp == 1019)
    #expect(tail.sampleKeys.first == "k12" && tail.copyTopic == "east.orders")
    // The copy's end as measured: a failback compares positions with it (HomeTranslation).
    #expect(tail.copyEnd == 12 && tail.isExact)
  }

  /// MM2 filtered upstream 5 and 7: the copy's offsets fall behind, the match still holds.
  @Test func recordsTheMirrorFilteredDoNotShiftTheStart() async throws {
    write(20)
    replicate([0, 1, 2, 3, 4, 6, 8, 9, 10, 11, 12, 13, 14])
    // Syncs as MirrorSourceTask emits them: when the mapping drifts.
    let tail = try #require(try await measure([(0, 0), (6, 5), (8, 6)]).first)
    #expect(tail.basis == .matched && tail.tailStart == 15 && tail.records == 5)
  }

  /// One sync long ago: the copy's last record is still found where the offsets put it.
  @Test func sparseSyncsStillFindTheExactStart() async throws {
    write(300)
    replicate(Array(0..<250))
    let tail = try #require(try await measure([(0, 0)]).first)
    #expect(tail.basis == .matched && tail.tailStart == 250 && tail.records == 50)
  }

  /// Retention moved east's log start past the copy's end: part of the tail is gone.
  @Test func aTruncatedPartitionReportsWhatExpired() async throws {
    write(20)
    replicate(Array(0..<10))
    east.truncate(orders, before: 15)
    let tail = try #require(try await measure([(0, 0), (9, 9)]).first)
    #expect(tail.tailStart == 10 && tail.tailEnd == 20 && tail.records == 10 && tail.expired == 5)
    #expect(tail.basis == .estimated && tail.sampleKeys.first == "k15")
  }

  /// A topic created on east after the failover has no copy on west: all of it is tail.
  @Test func aTopicWithoutACopyIsAllTail() async throws {
    east.topic("orders", highs: [0, 0])
    write(20)
    replicate(Array(0..<20))
    east.append(TopicPartition("orders", 1), (0..<4).map { (key: "n\($0)", value: "x", timestamp: 5) })
    let tails = try await measure([(0, 0), (19, 19)])
    #expect(tails.map(\.records) == [0, 4])
    #expect(tails[1].basis == .nothingReplicated)
  }

  /// A partition the failover journaled that east no longer has: gone, counted as expired.
  @Test func aDeletedPartitionIsReportedFromTheJournal() async throws {
    write(5)
    replicate(Array(0..<5))
    let journaled = JournaledTail(
      topic: "orders", partition: 7, sourceHighWatermark: 40, sourceMeasuredAt: nil, syncedUpstream: 29, copyEnd: 30)
    let tails = try await measure([(0, 0), (4, 4)], journaled: [journaled])
    let gone = try #require(tails.first { $0.partition == 7 })
    #expect(gone.records == 10 && gone.expired == 10 && gone.basis == .journaled)
  }

  /// What east took after the failover's last measurement of it is counted apart.
  @Test func writesAfterTheLastMeasurementAreCountedApart() async throws {
    write(20)
    replicate(Array(0..<12))
    let journaled = JournaledTail(
      topic: "orders", partition: 0, sourceHighWatermark: 16, sourceMeasuredAt: nil, syncedUpstream: 10, copyEnd: 12)
    let tail = try #require(try await measure([(0, 0), (10, 10)], journaled: [journaled]).first)
    #expect(tail.records == 8 && tail.writtenAfterFailover == 4)
  }

  /// While east does not answer: the bound the failover journaled.
  @Test func withoutTheOldPrimaryTheJournalBoundsTheTail() {
    let journaled = JournaledTail(
      topic: "orders", partition: 0, sourceHighWatermark: 16, sourceMeasuredAt: nil, syncedUpstream: 10, copyEnd: 12)
    let tail = TailMeasurement.bound(flow, [journaled])[0]
    #expect(tail.tailStart == 11 && tail.tailEnd == 16 && tail.records == 5 && tail.basis == .journaled)
    #expect(journaled.boundFromJournal == 5)
  }
}
