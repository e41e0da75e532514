import KafkaClient
import Topology

extension FailoverExecutor {
  /// An unplanned failover journals, per partition of the service's topics, what it knows of
  /// the records its source acknowledged and had not replicated: the source's end as last
  /// measured, the newest offset-sync, and the target copy's end now. Nothing here asks the
  /// source (presumed gone); the target is given two seconds.
  func journalTail(_ flow: Flow, _ r: FailoverRecord) async throws -> String {
    let topics = Set(topology.service(r.service)?.topics ?? [])
    let measured = try await mm2.sourcePartitions(flow: flow.name)?.partitions.filter { topics.contains($0.key.topic) }
    let histories = try await mm2.offsetSyncHistories(flow: flow.name).filter { topics.contains($0.key.topic) }
    let partitions = Set(measured?.keys ?? [:].keys).union(histories.keys).sorted()
    let copies = partitions.map { TopicPartition(flow.naming.checkpointTopic(forUpstream: $0.topic), $0.partition) }
    var copyEnds: [TopicPartition: Watermarks] = [:]
    if !copies.isEmpty, let target = try? kafka.client(flow.target) {
      copyEnds = (try? await target.watermarks(for: copies, timeout: .seconds(2))) ?? [:]
    }
    let tails = zip(partitions, copies).map { tp, copy in
      JournaledTail(
        topic: tp.topic, partition: tp.partition, sourceHighWatermark: measured?[tp]?.highWatermark,
        sourceMeasuredAt: measured?[tp]?.measuredAt, syncedUpstream: histories[tp]?.newest?.upstream,
        copyEnd: copyEnds[copy]?.high)
    }
    try await mm2.recordTails(failover: r.id, tails)
    let bound = tails.compactMap(\.boundFromJournal).reduce(0, +)
    return "; the tail journaled for \(tails.count) partitions (\(bound) records not known to be replicated)"
  }
}
