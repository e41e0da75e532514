import KafkaClient
import Topology

/// The timestamp mode: MM2 keeps record timestamps, so the target's first record at or
/// after (timestamp of the first unconsumed source record − margin) is at or before that
/// record's replica. Needs both clusters; the re-delivery bound is an estimate (records
/// whose timestamps fall inside the margin).
struct TimestampTranslation {
  let flow: Flow
  let source: (any KafkaOperations)?
  let target: (any KafkaOperations)?
  let margin: Duration

  func translate(_ tp: TopicPartition, committed: Int64?) async -> OffsetTranslator.Result {
    guard let source, let target, let committed else {
      return .failed("timestamp mode needs the live committed offset and both clusters")
    }
    do {
      // The first unconsumed record, or the last consumed one when the group is at the end.
      var records = try await source.read(tp, from: committed, until: committed + 1, timeout: .seconds(5))
      if records.isEmpty, committed > 0 {
        records = try await source.read(tp, from: committed - 1, until: committed, timeout: .seconds(5))
      }
      guard let ts = records.first?.timestamp else {
        return .failed("no record with a timestamp at upstream offset \(committed)")
      }
      let remote = TopicPartition(flow.remoteTopic(tp.topic), tp.partition)
      let marginMs = Int64(margin / .milliseconds(1))
      let found = try await target.offsetsForTimes([remote: ts - marginMs])
      let exact = try await target.offsetsForTimes([remote: ts])
      guard let start = found[remote] ?? nil else {
        return .failed("the target has no record at or after \(ts - marginMs) ms")
      }
      let bound = (exact[remote] ?? nil).map { max(0, $0 - start) }
      return .init(offset: start, basis: "timestamp \(ts) ms - \(marginMs) ms", redeliveryBound: bound, error: nil)
    } catch {
      return .failed("timestamp lookup failed: \(error)")
    }
  }
}
