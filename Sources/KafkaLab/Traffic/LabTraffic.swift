import Foundation
import KafkaClient

/// Application traffic for one service that follows discovery: a producer writing
/// numbered records per key with acks=all to the active cluster, and a consumer group
/// reading the active cluster's consume topics from the group's committed offsets and
/// committing as it goes. Both hold while the service is fenced and move when the active
/// cluster changes; the consumer then resumes from the offsets the orchestrator wrote.
public struct LabTraffic: Sendable {
  public let service: String
  public let group: String
  public let recordsPerSecond: Int
  public let keys: Int
  public let follower: DiscoveryFollower
  public let ledger: TrafficLedger

  public init(
    service: String, group: String, discoveryURL: String, recordsPerSecond: Int = 200, keys: Int = 16,
    ledger: TrafficLedger = TrafficLedger()
  ) {
    self.service = service
    self.group = group
    self.recordsPerSecond = recordsPerSecond
    self.keys = keys
    follower = DiscoveryFollower(url: discoveryURL)
    self.ledger = ledger
  }

  /// Runs discovery, producer and consumer until cancelled; `stopProducing` ends the
  /// producer first so that the consumer can catch up before the ledger is read.
  /// `holdProducing` pauses the producer while it returns true.
  public func run(
    stopProducing: @escaping @Sendable () async -> Bool = { false },
    holdProducing: @escaping @Sendable () async -> Bool = { false }
  ) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await follower.run() }
      group.addTask { await produce(until: stopProducing, holding: holdProducing) }
      group.addTask { await consume() }
    }
  }

  private func produce(until stop: @Sendable () async -> Bool, holding: @Sendable () async -> Bool) async {
    var seq = 0
    var client: (servers: String, client: KafkaClient)? = nil
    let perTick = max(1, recordsPerSecond / 10)
    while !Task.isCancelled, !(await stop()) {
      let view = await follower.current()
      guard view.writable, let topic = view.produce.first, !(await holding()) else {
        try? await Task.sleep(for: .milliseconds(50))
        continue
      }
      if client?.servers != view.bootstrapServers {
        guard let c = try? KafkaClient(bootstrapServers: view.bootstrapServers, defaultTimeout: .seconds(2)) else {
          continue
        }
        client = (view.bootstrapServers, c)
      }
      let ids = (seq..<seq + perTick).map { "\(service)-\($0)" }
      let records = ids.enumerated().map { i, id in
        ProducerRecord(topic: topic, key: Array("k\((seq + i) % keys)".utf8), value: Array(id.utf8))
      }
      seq += perTick
      await ledger.sent(ids.count)
      if (try? await client!.client.produce(records, timeout: .seconds(2))) != nil {
        await ledger.acknowledged(ids)
      }
      try? await Task.sleep(for: .milliseconds(100))
    }
  }

  private func consume() async {
    var on: String? = nil
    var consumer: KafkaConsumer? = nil
    var admin: KafkaClient? = nil
    var positions: [TopicPartition: Int64] = [:]
    var lastCommit = ContinuousClock.now
    while !Task.isCancelled {
      let view = await follower.current()
      if on != view.bootstrapServers {
        // A new active cluster: resume from what the group has committed there.
        guard let c = try? KafkaClient(bootstrapServers: view.bootstrapServers, defaultTimeout: .seconds(2)),
          let start = try? await startPositions(c, view.consume)
        else {
          try? await Task.sleep(for: .milliseconds(200))
          continue
        }
        guard
          let reader = try? KafkaConsumer(properties: [
            "bootstrap.servers": view.bootstrapServers, "group.id": "\(group)-lab-reader",
            "fetch.wait.max.ms": "20",
          ])
        else { continue }
        try? await reader.assign(start)
        consumer = reader
        admin = c
        positions = start
        on = view.bootstrapServers
      }
      guard let consumer, let admin else { continue }
      guard let batch = try? await consumer.poll(max: 2000, timeout: .milliseconds(100), headers: false) else {
        continue
      }
      if !batch.records.isEmpty {
        await ledger.consumed(batch.records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } })
        for r in batch.records { positions[TopicPartition(r.topic, r.partition)] = r.offset + 1 }
      }
      if ContinuousClock.now - lastCommit >= .milliseconds(200) {
        lastCommit = ContinuousClock.now
        _ = try? await admin.alterGroupOffsets(group: group, offsets: positions, timeout: .seconds(2))
      }
    }
  }

  /// The group's committed offset of every partition of `topics`, else the start.
  private func startPositions(_ client: KafkaClient, _ topics: [String]) async throws -> [TopicPartition: Int64] {
    let description = try await client.describeCluster(timeout: .seconds(2))
    let partitions = description.topics.filter { topics.contains($0.name) }.flatMap { t in
      t.partitions.map { TopicPartition(t.name, $0.id) }
    }
    let committed = try await client.committedOffsets(group: group, partitions: partitions, timeout: .seconds(2))
    var out: [TopicPartition: Int64] = [:]
    for tp in partitions { out[tp] = (committed[tp] ?? nil) ?? 0 }
    return out
  }
}
