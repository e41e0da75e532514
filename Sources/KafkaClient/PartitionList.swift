import CRdKafka

/// Builds and reads `rd_kafka_topic_partition_list_t`, the list type most librdkafka
/// calls take and return.
enum PartitionList {
  /// A new list the caller must destroy with `rd_kafka_topic_partition_list_destroy`.
  static func make(_ entries: [(TopicPartition, Int64)]) -> UnsafeMutablePointer<
    rd_kafka_topic_partition_list_t
  > {
    let list = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))!
    for (tp, offset) in entries {
      let element = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
      element.pointee.offset = offset
    }
    return list
  }

  struct Entry {
    let tp: TopicPartition
    let offset: Int64
    let err: rd_kafka_resp_err_t
  }

  static func entries(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [Entry] {
    let count = Int(list.pointee.cnt)
    guard count > 0, let elems = list.pointee.elems else { return [] }
    return (0..<count).map { i in
      let e = elems[i]
      return Entry(tp: TopicPartition(String(cString: e.topic), e.partition), offset: e.offset, err: e.err)
    }
  }
}

extension Duration {
  /// Milliseconds for librdkafka's `int timeout_ms` parameters, at least 1.
  var milliseconds: Int32 {
    Int32(clamping: max(Int64(self / .milliseconds(1)), 1))
  }
}
