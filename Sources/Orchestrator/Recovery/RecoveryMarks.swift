import KafkaClient

/// Where each destination partition of a recovery ended before anything was copied, as
/// written in the recovery's shared audit entry (`marks=orders[0]@120,orders[1]@7`). The
/// recovery's own journal is the instance's (SQLite); the audit log is shared (etcd when
/// coordinated): an instance that finds a recovery of the tail begun by another reads the
/// destinations from these marks, where the copies it made must be, and finds them by their
/// origin headers.
public enum RecoveryMarks {
  public static func encode(_ marks: [TopicPartition: Int64]) -> String {
    "marks="
      + marks.sorted { $0.key < $1.key }.map { "\($0.key.topic)[\($0.key.partition)]@\($0.value)" }
      .joined(separator: ",")
  }

  /// The marks in an audit entry's details; empty when it has none. A topic name may hold
  /// `[`, `]` or `@`: each item is split at its last `[` and last `@`.
  public static func parse(_ details: String) -> [TopicPartition: Int64] {
    guard let range = details.range(of: "marks=") else { return [:] }
    let list = details[range.upperBound...].prefix { $0 != " " }
    var out: [TopicPartition: Int64] = [:]
    for item in list.split(separator: ",") {
      guard let at = item.lastIndex(of: "@"), let open = item[..<at].lastIndex(of: "["),
        item[..<at].hasSuffix("]"), let mark = Int64(item[item.index(after: at)...]),
        let partition = Int32(item[item.index(after: open)..<item.index(before: at)])
      else { continue }
      out[TopicPartition(String(item[..<open]), partition)] = mark
    }
    return out
  }
}
