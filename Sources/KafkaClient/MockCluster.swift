import CRdKafka
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// An in-process Kafka cluster from librdkafka's mock broker (`rdkafka_mock.h`): real
/// Kafka protocol on loopback sockets, with fault injection. The lab's simulated regions
/// are built on it; nothing in production uses it.
public final class MockCluster: Sendable {
  private let owner: RdKafkaHandle
  private let cluster: RdPointer
  public let bootstrapServers: String
  public let brokerIds: [Int32]
  /// Brokers that are down, each with the socket that holds its port meanwhile.
  private let downBrokers = Mutex<[Int32: Int32]>([:])
  /// Listener port of each broker (bootstraps list brokers in id order).
  private let ports: [Int32: UInt16]

  public init(brokers: Int = 3) throws {
    precondition(brokers > 0, "a cluster needs at least one broker")
    // The owning handle only hosts the mock cluster's thread; it never talks to it.
    owner = try RdKafkaHandle(type: RD_KAFKA_PRODUCER, properties: [:])
    guard let mc = rd_kafka_mock_cluster_new(owner.rk, Int32(brokers)) else {
      throw KafkaError(RD_KAFKA_RESP_ERR__FAIL, message: "could not start a mock cluster", operation: "mock cluster")
    }
    cluster = RdPointer(raw: mc)
    bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(mc))
    brokerIds = (1...Int32(brokers)).map { $0 }
    let listed = bootstrapServers.split(separator: ",").compactMap {
      $0.split(separator: ":").last.flatMap { UInt16($0) }
    }
    ports = Dictionary(uniqueKeysWithValues: zip(brokerIds, listed))
  }

  deinit {
    for fd in downBrokers.withLock({ $0.values }) { close(fd) }
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
  ///
  /// The mock closes a down broker's listener and binds the same port again when it comes
  /// back up, aborting the process if another socket took the port meanwhile. So while a
  /// broker is down its port is held by a bound socket that does not listen: connections
  /// are refused as before, and nothing else can take the port.
  public func setDown(_ ids: [Int32]? = nil) {
    for id in ids ?? brokerIds where downBrokers.withLock({ $0[id] == nil }) {
      rd_kafka_mock_broker_set_down(cluster.raw, id)
      let holder = ports[id].map(Self.holdPort) ?? -1
      downBrokers.withLock { $0[id] = holder }
    }
  }

  /// Brings brokers back. A broker whose port could not be held while it was down and is
  /// now taken by another socket stays down (see `brokersDown`) rather than abort.
  public func setUp(_ ids: [Int32]? = nil) {
    for id in ids ?? brokerIds {
      guard let holder = downBrokers.withLock({ $0.removeValue(forKey: id) }) else { continue }
      if holder < 0, let port = ports[id], !Self.portIsFree(port) {
        // Binding would fail inside the mock and abort the process: stay down instead.
        downBrokers.withLock { $0[id] = -1 }
        continue
      }
      if holder >= 0 { close(holder) }
      rd_kafka_mock_broker_set_up(cluster.raw, id)
    }
  }

  public var brokersDown: Set<Int32> { downBrokers.withLock { Set($0.keys) } }

  private static func holdPort(_ port: UInt16) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return -1 }
    var yes: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = port.bigEndian
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if bound != 0 {
      close(fd)
      return -1
    }
    return fd
  }

  private static func portIsFree(_ port: UInt16) -> Bool {
    let fd = holdPort(port)
    if fd >= 0 { close(fd) }
    return fd >= 0
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
