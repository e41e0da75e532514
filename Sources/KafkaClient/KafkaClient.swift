import CRdKafka

/// An async client for one Kafka cluster over librdkafka.
///
/// Every call takes a timeout, runs its blocking librdkafka work on `KafkaThreads`, and
/// throws `KafkaError` carrying librdkafka's error name and text.
public final class KafkaClient: Sendable {
  let handle: RdKafkaHandle
  let properties: [String: String]
  let userProperties: [String: String]
  public let defaultTimeout: Duration

  /// - Parameter properties: librdkafka client properties; `bootstrap.servers` at least.
  public init(properties: [String: String], defaultTimeout: Duration = .seconds(10)) throws {
    var props: [String: String] = [
      "client.id": "failoverctl",
      "acks": "all",
      "linger.ms": "5",
      // A recovered region must be noticed within a probe interval, not minutes later.
      "reconnect.backoff.max.ms": "1000",
      "topic.metadata.refresh.interval.ms": "10000",
    ]
    props.merge(properties) { _, new in new }
    self.properties = props
    self.userProperties = properties
    self.defaultTimeout = defaultTimeout
    self.handle = try RdKafkaHandle(type: RD_KAFKA_PRODUCER, properties: props)
  }

  public convenience init(bootstrapServers: String, defaultTimeout: Duration = .seconds(10)) throws {
    try self.init(properties: ["bootstrap.servers": bootstrapServers], defaultTimeout: defaultTimeout)
  }

  /// Brokers, controller, and every topic with its partitions' leader, replicas and ISR.
  public func describeCluster(timeout: Duration? = nil) async throws -> ClusterDescription {
    let ms = (timeout ?? defaultTimeout).milliseconds
    let handle = self.handle
    return try await KafkaThreads.run {
      let start = ContinuousClock.now
      var md: UnsafePointer<rd_kafka_metadata>?
      let err = rd_kafka_metadata(handle.rk, 1, nil, &md, ms)
      guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let md else {
        throw KafkaError(err, operation: "describe cluster")
      }
      defer { rd_kafka_metadata_destroy(md) }
      let description = Self.describe(md.pointee)
      // The legacy metadata struct has no controller; ask separately within what is left.
      let remaining = (timeout ?? .seconds(10)) - (ContinuousClock.now - start)
      let controller = rd_kafka_controllerid(handle.rk, max(remaining.milliseconds, 1))
      return ClusterDescription(
        brokers: description.brokers, controllerId: controller,
        respondingBrokerId: md.pointee.orig_broker_id, topics: description.topics)
    }
  }

  private static func describe(_ md: rd_kafka_metadata) -> (brokers: [BrokerInfo], topics: [TopicInfo]) {
    let brokers = (0..<Int(md.broker_cnt)).map { i in
      let b = md.brokers[i]
      return BrokerInfo(id: b.id, host: String(cString: b.host), port: b.port)
    }
    let topics = (0..<Int(md.topic_cnt)).map { i -> TopicInfo in
      let t = md.topics[i]
      let partitions = (0..<Int(t.partition_cnt)).map { j -> PartitionInfo in
        let p = t.partitions[j]
        return PartitionInfo(
          id: p.id, leader: p.leader,
          replicas: (0..<Int(p.replica_cnt)).map { p.replicas[$0] },
          isr: (0..<Int(p.isr_cnt)).map { p.isrs[$0] },
          error: p.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2name(p.err)))
      }
      return TopicInfo(
        name: String(cString: t.topic), partitions: partitions.sorted { $0.id < $1.id },
        error: t.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2name(t.err)))
    }
    return (brokers.sorted { $0.id < $1.id }, topics.sorted { $0.name < $1.name })
  }
}
