import DiscoveryClient
import Foundation
import KafkaClient
import Orchestrator
import Synchronization

/// A drill's canary clients: a producer and a consumer that follow the service's discovery
/// over HTTP as any application does (event stream, lease), the producer writing one
/// numbered record every interval to the service's first produce topic while it may, the
/// consumer reading the service's consume topics in the drill's group, committing as it goes,
/// and resuming on each new active cluster from the positions the failover wrote there.
final class DrillCanary: Sendable {
  let drillId: Int64
  let group: String
  let interval: Duration
  /// Every cluster's ends of the service's partitions (its topics and their remote copies)
  /// before the drill wrote anything: where the group starts on a partition it has no
  /// position in. Not a timestamp lookup: some brokers (librdkafka's mock) do not answer one,
  /// and not the end at the move, which a producer quicker to follow discovery has passed.
  let marks: [String: [TopicPartition: Int64]]
  let follower: ServiceFollower
  private let tally = Mutex(DrillTally())
  private let producing = Atomic<Bool>(true)
  private let topicName = Mutex<String>("")

  init(
    service: String, servers: [String], token: String?, drillId: Int64, interval: Duration,
    marks: [String: [TopicPartition: Int64]]
  ) {
    self.drillId = drillId
    self.group = DrillNames.group(of: service)
    self.interval = interval
    self.marks = marks
    follower = ServiceFollower(service: service, servers: servers, token: token, initialTimeout: .seconds(30))
  }

  var snapshot: DrillTally { tally.withLock { $0 } }
  var topic: String { topicName.withLock { $0 } }

  /// Ends production; the consumer goes on reading.
  func stopProducing() { producing.store(false, ordering: .sequentiallyConsistent) }

  /// Runs discovery, producer and consumer until cancelled, or throws when discovery cannot be followed.
  func run() async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await self.follower.run { _ in } }
      group.addTask { await self.produce() }
      group.addTask { await self.consume() }
      defer { group.cancelAll() }
      // Not the first child to end: the producer ends when told to stop producing, and the
      // consumer must go on reading what it acknowledged (stopping it there lost the last
      // records of a drill on a loaded machine). Only an error or cancellation ends this.
      while try await group.next() != nil {}
    }
  }

  var prefix: String { "failoverctl-drill \(drillId) " }

  private func produce() async {
    var seq = 0
    var client: (servers: String, client: KafkaClient)? = nil
    // Production starts once the consumer reads: what it would miss before is not a loss.
    while !Task.isCancelled, tally.withLock({ $0.stints.isEmpty }) {
      try? await Task.sleep(for: .milliseconds(20))
    }
    while !Task.isCancelled, producing.load(ordering: .sequentiallyConsistent) {
      try? await Task.sleep(for: interval)
      guard let s = follower.state, s.writesAllowed, let topic = s.document.topics.produce.first else { continue }
      let servers = s.document.active.bootstrapServers
      if client?.servers != servers {
        var properties = s.document.properties
        properties["bootstrap.servers"] = servers
        guard let c = try? KafkaClient(properties: properties, defaultTimeout: .seconds(2)) else { continue }
        client = (servers, c)
      }
      topicName.withLock { $0 = topic }
      let record = ProducerRecord(
        topic: topic, key: Array("failoverctl-drill".utf8), value: Array("\(prefix)\(seq)".utf8),
        headers: [KafkaHeader(key: "failoverctl-drill", value: Array(String(drillId).utf8))])
      if let reports = try? await client!.client.produce([record], timeout: .seconds(2)) {
        let cluster = s.document.active.cluster
        let n = seq
        let places = reports.map { DrillTally.place(TopicPartition($0.topic, $0.partition), $0.offset) }
        tally.withLock { $0.acknowledged([n], by: cluster, at: Date(), places: places) }
      }
      seq += 1
    }
  }

  private func consume() async {
    var on: String? = nil
    var reader: KafkaConsumer? = nil
    var committer: KafkaConsumer? = nil
    var positions: [TopicPartition: Int64] = [:]
    var onCluster = ""
    while !Task.isCancelled {
      guard let s = follower.state else {
        try? await Task.sleep(for: .milliseconds(20))
        continue
      }
      let servers = s.document.active.bootstrapServers
      if on != servers {
        var properties = s.document.properties
        properties["bootstrap.servers"] = servers
        let cluster = s.document.active.cluster
        let client: KafkaClient
        let group: KafkaConsumer
        let start: [TopicPartition: Int64]
        let r: KafkaConsumer
        do {
          client = try KafkaClient(properties: properties, defaultTimeout: .seconds(2))
          group = try KafkaConsumer(properties: properties.merging(["group.id": self.group]) { _, n in n })
          start = try await startPositions(
            client, group, s.document.topics.consume, cluster: cluster, first: on == nil)
          r = try KafkaConsumer(
            properties: properties.merging(["group.id": "\(self.group)-reader", "fetch.wait.max.ms": "20"]) { _, n in n
            })
          try await r.assign(start)
        } catch {
          // Kept for the report: a consumer that cannot start where discovery points is
          // what an application would suffer too.
          tally.withLock { $0.consumerFailed(on: cluster, "\(error)") }
          try? await Task.sleep(for: .milliseconds(200))
          continue
        }
        reader = r
        committer = group
        positions = start
        on = servers
        // The first positions are committed at once: the failover translates them.
        try? await group.commitAsync(positions)
        onCluster = cluster
        tally.withLock { $0.consumerMoved(to: cluster, starts: start) }
      }
      guard let reader, let committer,
        let batch = try? await reader.poll(max: 1000, timeout: .milliseconds(100), headers: false)
      else { continue }
      if let e = batch.errors.last {
        tally.withLock { $0.consumerFailed(on: onCluster, "read: \(e)") }
      }
      for r in batch.records {
        positions[TopicPartition(r.topic, r.partition)] = r.offset + 1
        guard let v = r.value, let text = String(bytes: v, encoding: .utf8), text.hasPrefix(prefix),
          let seq = Int(text.dropFirst(prefix.count))
        else { continue }
        tally.withLock { $0.read(seq, at: "\(r.topic)[\(r.partition)]@\(r.offset)", when: Date()) }
      }
      // Committed after every batch, as an application that commits what it processed: the
      // planned switch's translation then finds the group where it read to.
      if !batch.records.isEmpty {
        let read = positions
        tally.withLock { $0.consumerRead(batch.records.count, to: read) }
        try? await committer.commitAsync(positions)
      }
    }
  }

  /// Where the group reads each partition of `topics`: on the first cluster, from the
  /// drill's marks; afterwards from the group's committed position (what the failover
  /// translated), or where none was written, from the marks (a partition made during the
  /// drill: from its start).
  private func startPositions(
    _ client: KafkaClient, _ group: KafkaConsumer, _ topics: [String], cluster: String, first: Bool
  ) async throws -> [TopicPartition: Int64] {
    let description = try await client.describeCluster(timeout: .seconds(2))
    let partitions = description.topics.filter { topics.contains($0.name) }.flatMap { t in
      t.partitions.map { TopicPartition(t.name, $0.id) }
    }
    let committed = first ? [:] : try await group.committed(partitions, timeout: .seconds(2))
    let unmarked = partitions.filter { (committed[$0] ?? nil) == nil && marks[cluster]?[$0] == nil }
    let starts = try await client.watermarks(for: unmarked, timeout: .seconds(2))
    var out: [TopicPartition: Int64] = [:]
    for tp in partitions {
      out[tp] = (committed[tp] ?? nil) ?? marks[cluster]?[tp] ?? starts[tp]?.low ?? 0
    }
    return out
  }
}
