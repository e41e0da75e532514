import KafkaClient

/// One failure domain of the lab: a Kafka cluster of its own (librdkafka's mock, real
/// protocol on loopback) that can be failed, slowed or made to return errors.
public final class SimulatedRegion: Sendable {
  public let name: String
  public let cluster: MockCluster

  public init(name: String, brokers: Int = 3) throws {
    self.name = name
    self.cluster = try MockCluster(brokers: brokers)
  }

  public var bootstrapServers: String { cluster.bootstrapServers }
  public var brokerCount: Int { cluster.brokerIds.count }
  public var isDown: Bool { cluster.brokersDown.count == cluster.brokerIds.count }

  /// The whole region goes dark: every broker closes its connections and refuses new ones.
  public func fail() { cluster.setDown() }

  public func recover() { cluster.setUp() }

  /// Adds latency to every broker's responses (zero removes it).
  public func setLatency(_ rtt: Duration) { cluster.setRoundTripTime(rtt) }

  /// The next requests of API `apiKey` fail with these Kafka error codes.
  public func injectErrors(apiKey: Int16, errors: [Int32]) {
    cluster.pushRequestErrors(apiKey: apiKey, errors: errors)
  }
}
