import Foundation
import KafkaClient

/// Application traffic for one service that follows discovery: a producer writing
/// numbered records per key with acks=all to the active cluster, and a consumer group
/// reading the active cluster's consume topics from the group's committed offsets and
/// committing as it goes. Both hold while the service is fenced and move when the active
/// cluster changes; the consumer then resumes from the offsets the orchestrator wrote.
public struct LabTraffic: Sendable {
  public let service: String
  /// Active-active: the region these clients run in (discovery's `?region=`); their
  /// records are numbered apart from the other regions'.
  public let region: String?
  public let group: String
  /// Further consumer groups of the service that commit the same positions as `group`
  /// (once a second) without reading: they make failovers translate and write as many
  /// groups as a real deployment has, at the cost of one reader.
  public let extraGroups: [String]
  public let recordsPerSecond: Int
  /// How long the consumer takes to process a record: it handles (and commits) records
  /// once they are this old, as an application with real work per record lags its
  /// producers. What it had not processed when its region died is what it can lose.
  public let processingDelay: Duration
  /// Whether a cluster's region is up. The lab's consumers run beside their cluster and
  /// die with its region: what they had fetched and not processed is gone with them.
  public let isUp: @Sendable (String) -> Bool
  public let keys: Int
  public let follower: DiscoveryFollower
  public let ledger: TrafficLedger
  /// Further ledgers told of every acknowledged record (active-active: each region's
  /// consumers must read every region's records, so each region keeps a ledger).
  public let alsoAcknowledge: [TrafficLedger]

  public init(
    service: String, region: String? = nil, group: String, extraGroups: [String] = [], servers: [String],
    recordsPerSecond: Int = 200, processingDelay: Duration = .zero,
    isUp: @escaping @Sendable (String) -> Bool = { _ in true }, keys: Int = 16, ledger: TrafficLedger = TrafficLedger(),
    alsoAcknowledge: [TrafficLedger] = []
  ) {
    self.region = region
    self.alsoAcknowledge = alsoAcknowledge
    self.isUp = isUp
    self.processingDelay = processingDelay
    self.service = service
    self.group = group
    self.extraGroups = extraGroups
    self.recordsPerSecond = recordsPerSecond
    self.keys = keys
    follower = DiscoveryFollower(service: service, region: region, servers: servers)
    self.ledger = ledger
  }

  /// Runs discovery, producer and consumer until cancelled; `stopProducing` ends the
  /// producer first so that the consumer can catch up before the ledger is read.
  public func run(stopProducing: @escaping @Sendable () async -> Bool = { false }) async {
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await follower.run() }
      group.addTask { await produce(until: stopProducing) }
      group.addTask { await consume() }
    }
  }

  private func produce(until stop: @Sendable () async -> Bool) async {
    var seq = 0
    var client: (servers: String, client: KafkaClient)? = nil
    // Paced by the clock, so that a slow acknowledgement does not lower the rate; a
    // fenced service accrues nothing (the application would block, not queue).
    var credit = 0.0
    var last = ContinuousClock.now
    let maxBatch = max(1, recordsPerSecond / 5)
    while !Task.isCancelled, !(await stop()) {
      let view = await follower.current()
      let now = ContinuousClock.now
      credit = min(Double(recordsPerSecond), credit + Double(recordsPerSecond) * ((now - last) / .seconds(1)))
      last = now
      guard view.writable, let topic = view.produce.first else {
        credit = 0
        try? await Task.sleep(for: .milliseconds(50))
        continue
      }
      let perTick = min(maxBatch, Int(credit))
      guard perTick > 0 else {
        try? await Task.sleep(for: .milliseconds(20))
        continue
      }
      credit -= Double(perTick)
      if client?.servers != view.bootstrapServers {
        guard let c = try? KafkaClient(properties: view.clientProperties, defaultTimeout: .seconds(2)) else {
          continue
        }
        client = (view.bootstrapServers, c)
      }
      let prefix = region.map { "\(service)-\($0)" } ?? service
      let ids = (seq..<seq + perTick).map { "\(prefix)-\($0)" }
      let records = ids.enumerated().map { i, id in
        ProducerRecord(topic: topic, key: Array("k\((seq + i) % keys)".utf8), value: Array(id.utf8))
      }
      seq += perTick
      await ledger.sent(ids.count)
      if (try? await client!.client.produce(records, timeout: .seconds(2))) != nil {
        await ledger.acknowledged(ids)
        for other in alsoAcknowledge { await other.acknowledged(ids) }
      }
    }
  }

  private func consume() async {
    var on: String? = nil
    var consumer: KafkaConsumer? = nil
    var offsets: GroupOffsetBook? = nil
    var pending: [ConsumedRecord] = []
    var positions: [TopicPartition: Int64] = [:]
    var lastCommit = ContinuousClock.now
    var lastExtraCommit = ContinuousClock.now
    while !Task.isCancelled {
      let view = await follower.current()
      if on != view.bootstrapServers {
        // A new active cluster: resume from what the group has committed there.
        let book = GroupOffsetBook(bootstrapServers: view.bootstrapServers)
        guard let c = try? KafkaClient(properties: view.clientProperties, defaultTimeout: .seconds(2)),
          let start = try? await startPositions(c, book, view.consume)
        else {
          try? await Task.sleep(for: .milliseconds(200))
          continue
        }
        guard
          let reader = try? KafkaConsumer(
            properties: view.clientProperties.merging([
              "group.id": "\(group)-lab-reader", "fetch.wait.max.ms": "20",
            ]) { _, new in new })
        else { continue }
        try? await reader.assign(start)
        consumer = reader
        offsets = book
        // Unprocessed records of the old cluster were never committed: they come again
        // from the new one, where the orchestrator translated the committed offsets.
        pending = []
        positions = start
        on = view.bootstrapServers
      }
      guard let consumer, let offsets else { continue }
      guard let batch = try? await consumer.poll(max: 2000, timeout: .milliseconds(100), headers: false) else {
        continue
      }
      pending += batch.records
      if !isUp(view.cluster) { pending = [] }
      let due = Int64(Date().timeIntervalSince1970 * 1000) - Int64(processingDelay / .milliseconds(1))
      let ready = pending.prefix { ($0.timestamp ?? 0) <= due }
      if !ready.isEmpty {
        await ledger.consumed(ready.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } })
        for r in ready { positions[TopicPartition(r.topic, r.partition)] = r.offset + 1 }
        pending.removeFirst(ready.count)
      }
      if ContinuousClock.now - lastCommit >= .milliseconds(200) {
        lastCommit = ContinuousClock.now
        try? await offsets.commit(group, positions)
      }
      if !extraGroups.isEmpty, ContinuousClock.now - lastExtraCommit >= .seconds(1) {
        lastExtraCommit = ContinuousClock.now
        for g in extraGroups {
          try? await offsets.commit(g, positions)
        }
      }
    }
  }

  /// The group's committed offset of every partition of `topics`, else the start.
  private func startPositions(_ client: KafkaClient, _ book: GroupOffsetBook, _ topics: [String]) async throws
    -> [TopicPartition: Int64]
  {
    let description = try await client.describeCluster(timeout: .seconds(2))
    let partitions = description.topics.filter { topics.contains($0.name) }.flatMap { t in
      t.partitions.map { TopicPartition(t.name, $0.id) }
    }
    let committed = try await book.committed(group, partitions, timeout: .seconds(2))
    var out: [TopicPartition: Int64] = [:]
    for tp in partitions { out[tp] = (committed[tp] ?? nil) ?? 0 }
    return out
  }
}
