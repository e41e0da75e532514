import CRdKafka
import Synchronization

/// An in-process Kafka cluster from librdkafka's mock broker (`rdkafka_mock.h`): real
/// Kafka protocol on loopback sockets, with fault injection. The lab's simulated regions
/// are built on it; nothing in production uses it.
public final class MockCluster: Sendable {
  private let owner: RdKafkaHandle
  private let cluster: RdPointer
  public let bootstrapServers: String
  public let brokerIds: [Int32]
  private let downBrokers = Mutex<Set<Int32>>([])

  public init(brokers: Int = 3) throws {
    precondition(brokers > 0, "a cluster needs at least one broker")
    // The owning handle only hosts the mock cluster's thread; it never talks to it.
    let owner = try RdKafkaHandle(type: RD_KAFKA_PRODUCER, properties: [:])
    self.owner = owner
    guard let mc = Self.withListenerLock({ rd_kafka_mock_cluster_new(owner.rk, Int32(brokers)) }) else {
      throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, message: "could not start a mock cluster", operation: "mock cluster")
    }
    cluster = RdPointer(raw: mc)
    bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mc))
    brokerIds = (1...Int32(brokers)).map { $0 }
  }

  deinit {
    let cluster = self.cluster
    let owner = self.owner
    KafkaThreads.detach {
      rd_kafka_mock_cluster_destroy(cluster.raw)
      _ = owner  // destroyed after the cluster it hosts
    }
  }

  /// Creates a topic; producing to or asking metadata for an unknown topic also creates
  /// one (with 4 partitions), as a broker with auto-creation on would.
  public func createTopic(_ name: String, partitions: Int32, replicationFactor: Int32 = 3) throws {
    let rf = min(replicationFactor, Int32(brokerIds.count))
    let err = rd_kafka_mock_topic_create(cluster.raw, name, partitions, rf)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(err, operation: "create topic \(name)") }
  }

  /// Takes brokers down: open connections are closed and new ones refused.
  public func setDown(_ ids: [Int32]? = nil) {
    for id in ids ?? brokerIds {
      _ = Self.withListenerLock { rd_kafka_mock_broker_set_down(cluster.raw, id) }
      downBrokers.withLock { _ = $0.insert(id) }
    }
  }

  public func setUp(_ ids: [Int32]? = nil) {
    for id in ids ?? brokerIds {
      _ = Self.withListenerLock { rd_kafka_mock_broker_set_up(cluster.raw, id) }
      downBrokers.withLock { _ = $0.remove(id) }
    }
  }

  public var brokersDown: Set<Int32> { downBrokers.withLock { $0 } }

  /// Serialises the creation of loopback listeners in this process.
  ///
  /// Taking a broker down closes its listener and binds the same port again at once; the
  /// mock aborts the process if another socket took the port in between. Every listener
  /// this process creates on an ephemeral port (mock brokers, test servers) is created
  /// under this lock, so none can land in that window.
  public static func withListenerLock<T>(_ body: () throws -> T) rethrows -> T {
    try listenerLock.withLock { _ in try body() }
  }

  /// Adds round-trip time to every response of the given brokers.
  public func setRoundTripTime(_ rtt: Duration, brokers ids: [Int32]? = nil) {
    for id in ids ?? brokerIds {
      rd_kafka_mock_broker_set_rtt(cluster.raw, id, rtt == .zero ? 0 : rtt.milliseconds)
    }
  }

  /// Makes the next `errors.count` requests of API `apiKey` fail with these Kafka error
  /// codes, in order (e.g. apiKey 3 = Metadata, 0 = Produce, 1 = Fetch).
  public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
    var codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
    rd_kafka_mock_push_request_errors_array(cluster.raw, apiKey, codes.count, &codes)
  }

  public func clearRequestErrors(apiKey: Int16) {
    rd_kafka_mock_clear_request_errors(cluster.raw, apiKey)
  }

  public func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws {
    let err = rd_kafka_mock_partition_set_leader(cluster.raw, topic, partition, broker)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
      throw KafkaError(err, operation: "set leader of \(topic)-\(partition)")
    }
  }
}

private let listenerLock = Mutex(())
