import Foundation
import KafkaClient
import Testing

@Suite("KafkaClient against a mock cluster")
struct KafkaClientTests {
  let cluster: MockCluster
  let client: KafkaClient

  init() throws {
    cluster = try MockCluster(brokers: 3)
    client = try KafkaClient(bootstrapServers: cluster.bootstrapServers, defaultTimeout: .seconds(5))
  }

  @Test func describesBrokersTopicsAndController() async throws {
    try cluster.createTopic("orders", partitions: 6, replicationFactor: 3)
    let d = try await client.describeCluster()
    #expect(d.brokers.map(\.id) == [1, 2, 3])
    #expect(d.controllerId >= 0)
    let orders = try #require(d.topic("orders"))
    #expect(orders.partitions.count == 6)
    #expect(orders.partitions.allSatisfy { $0.leader >= 1 && $0.replicas.count == 3 && $0.isr.count == 3 })
    #expect(d.offlinePartitions.isEmpty)
    // MockCluster relies on the bootstrap list naming brokers in id order.
    #expect(d.brokers.map { "\($0.host):\($0.port)" }.joined(separator: ",") == cluster.bootstrapServers)
  }

  @Test func watermarksFollowProducedRecords() async throws {
    try cluster.createTopic("wm", partitions: 3)
    let records = (0..<10).map { i in
      ProducerRecord(topic: "wm", partition: Int32(i % 2), value: Array("v\(i)".utf8))
    }
    let reports = try await client.produce(records)
    #expect(reports.count == 10)
    #expect(reports.filter { $0.partition == 0 }.map(\.offset) == [0, 1, 2, 3, 4])
    let tps = (0..<3).map { TopicPartition("wm", Int32($0)) }
    let wm = try await client.watermarks(for: tps)
    #expect(wm[TopicPartition("wm", 0)] == Watermarks(low: 0, high: 5))
    #expect(wm[TopicPartition("wm", 1)] == Watermarks(low: 0, high: 5))
    #expect(wm[TopicPartition("wm", 2)] == Watermarks(low: 0, high: 0))
  }

  @Test func commitThenReadGroupOffsets() async throws {
    try cluster.createTopic("payments", partitions: 2)
    let p0 = TopicPartition("payments", 0)
    let p1 = TopicPartition("payments", 1)
    let before = try await client.committedOffsets(group: "billing", partitions: [p0, p1])
    #expect(before[p0] == .some(nil))
    let outcome = try await client.alterGroupOffsets(group: "billing", offsets: [p0: 42, p1: 7])
    #expect(outcome == [p0: .ok, p1: .ok])
    let after = try await client.committedOffsets(group: "billing", partitions: [p0, p1])
    #expect(after[p0] == 42)
    #expect(after[p1] == 7)
    // Re-applying the same offsets is harmless.
    #expect(try await client.alterGroupOffsets(group: "billing", offsets: [p0: 42]) == [p0: .ok])
  }

  @Test func readsARangeWithKeysHeadersAndTimestamps() async throws {
    try cluster.createTopic("events", partitions: 1)
    let records = (0..<20).map { i in
      ProducerRecord(
        topic: "events", partition: 0, key: Array("k\(i)".utf8), value: Array("value-\(i)".utf8),
        timestamp: 1_700_000_000_000 + Int64(i), headers: [KafkaHeader(key: "seq", value: Array("\(i)".utf8))])
    }
    _ = try await client.produce(records)
    let tp = TopicPartition("events", 0)
    let slice = try await client.read(tp, from: 5, until: 10)
    #expect(slice.map(\.offset) == [5, 6, 7, 8, 9])
    #expect(slice.first?.key == Array("k5".utf8))
    #expect(slice.first?.value == Array("value-5".utf8))
    #expect(slice.first?.timestamp == 1_700_000_000_005)
    #expect(slice.first?.headers == [KafkaHeader(key: "seq", value: Array("5".utf8))])
    let tail = try await client.read(tp, from: 15)
    #expect(tail.map(\.offset) == [15, 16, 17, 18, 19])
  }

  @Test func regionDownIsATypedErrorWithinTheTimeoutThenRecovers() async throws {
    try cluster.createTopic("t", partitions: 1)
    _ = try await client.describeCluster()
    cluster.setDown()
    let start = ContinuousClock.now
    do {
      _ = try await client.describeCluster(timeout: .seconds(2))
      Issue.record("describe succeeded against a cluster whose brokers are all down")
    } catch let error as KafkaError {
      #expect([.timedOut, .unreachable].contains(error.kind), "\(error)")
      #expect(!error.name.isEmpty)
    }
    // Not a performance bound: the call must end with the timeout instead of hanging.
    #expect(ContinuousClock.now - start < .seconds(15))
    cluster.setUp()
    var recovered = false
    for _ in 0..<20 where !recovered {
      recovered = (try? await client.describeCluster(timeout: .seconds(1))) != nil
    }
    #expect(recovered)
  }

  @Test func describeGroupsOnABrokerWithoutTheAPIFailsFastAndBlocksNothing() async throws {
    try cluster.createTopic("x", partitions: 1)
    // The mock has no DescribeGroups: a typed error at once, many times over, and later
    // group calls on the same handle still work (librdkafka 2.0.2's admin variant hangs).
    for _ in 0..<20 {
      do {
        _ = try await client.describeGroups(["grp"], timeout: .seconds(3))
        Issue.record("the mock answered DescribeGroups")
      } catch let error as KafkaError {
        #expect(error.kind == .unsupportedByBroker, "\(error)")
      }
    }
    let committed = try await client.committedOffsets(
      group: "grp", partitions: [TopicPartition("x", 0)], timeout: .seconds(3))
    #expect(committed[TopicPartition("x", 0)] == .some(nil))
  }

  @Test func describeConfigsWithoutAControllerFailsTypedAndBlocksNothing() async throws {
    try cluster.createTopic("cfg", partitions: 1)
    // The mock names no real controller, so DescribeConfigs can only time out.
    do {
      _ = try await client.topicConfig("min.insync.replicas", topics: ["cfg"], timeout: .seconds(1))
    } catch let error as KafkaError {
      #expect(error.kind == .timedOut, "\(error)")
    }
    let committed = try await client.committedOffsets(group: "g", partitions: [TopicPartition("cfg", 0)])
    #expect(committed[TopicPartition("cfg", 0)] == .some(nil))
  }

  @Test func badPropertyIsRejectedByName() throws {
    #expect(throws: KafkaConfigError.self) {
      _ = try KafkaClient(properties: ["bootstrap.servers": "x:1", "no.such.property": "1"])
    }
  }
}
