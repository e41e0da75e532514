import KafkaClient
import Topology

/// Turns a measured divergence into a recovery's partitions: each partition's tail (what
/// retention left of it) copied to the same partition of the destination topic, or, when
/// the destination has fewer partitions, the source partition modulo their number.
public enum RecoveryPlanner {
  /// The destination topic of `topic`: itself, or its quarantine topic.
  public static func destination(_ topic: String, into: RecoveryTarget, quarantine: String) -> String {
    into == .active ? topic : quarantine.replacingOccurrences(of: "{topic}", with: topic)
  }

  /// - Parameter destinationPartitions: partitions of each destination topic on the active
  ///   cluster; a topic missing there is an error that names it.
  public static func plan(
    _ d: Divergence, into: RecoveryTarget, quarantine: String, destinationPartitions: [String: Int32]
  ) throws -> [RecoveryPartition] {
    guard d.oldPrimaryAnswers else {
      throw RecoveryError("\(d.oldPrimary) does not answer: the tail can be recovered once it does")
    }
    return try d.partitions.filter { $0.records - $0.expired > 0 }.map { t in
      let topic = destination(t.topic, into: into, quarantine: quarantine)
      guard let count = destinationPartitions[topic], count > 0 else {
        throw RecoveryError(
          "topic \(topic) does not exist on \(d.active): create it (for example with as many partitions as \(t.topic))")
      }
      return RecoveryPartition(
        topic: t.topic, partition: t.partition, destTopic: topic,
        destPartition: t.partition < count ? t.partition : t.partition % count, tailStart: t.tailStart + t.expired,
        tailEnd: t.tailEnd, copyEnd: t.isExact ? t.copyEnd : nil)
    }
  }
}
