import KafkaClient

/// One failure domain of the lab: a Kafka cluster of its own on loopback — librdkafka's
/// mock (real protocol, written with the client we use) or Tansu (a broker written by
/// others) — that can be failed and brought back.
public final class SimulatedRegion: Sendable {
  /// Which broker a lab region runs.
  public enum Broker: String, Sendable, CaseIterable {
    /// librdkafka's mock cluster, in process: several brokers, latency and error injection.
    case mock
    /// One Tansu 0.6 process (`TansuBroker`).
    case tansu
  }

  public let name: String
  public let broker: Broker
  /// The mock cluster of a mock region (nil for Tansu): latency and error injection.
  public let cluster: MockCluster?
  let tansu: TansuBroker?

  public init(name: String, brokers: Int = 3) throws {
    self.name = name
    broker = .mock
    cluster = try MockCluster(brokers: brokers)
    tansu = nil
  }

  private init(name: String, tansu: TansuBroker) {
    self.name = name
    broker = .tansu
    cluster = nil
    self.tansu = tansu
  }

  /// A region of one Tansu broker, started from `binary`.
  public static func tansu(name: String, binary: String) async throws -> SimulatedRegion {
    SimulatedRegion(name: name, tansu: try await TansuBroker.start(binary: binary))
  }

  public var bootstrapServers: String { cluster?.bootstrapServers ?? tansu!.bootstrapServers }
  public var brokerCount: Int { cluster?.brokerIds.count ?? 1 }
  public var isDown: Bool {
    if let cluster { return cluster.brokersDown.count == cluster.brokerIds.count }
    return tansu!.isDown
  }

  /// The whole region goes dark: every broker closes its connections and refuses new ones.
  public func fail() {
    if let cluster { cluster.setDown() } else { tansu!.fail() }
  }

  public func recover() {
    if let cluster { cluster.setUp() } else { tansu!.recover() }
  }

  /// Creates topics: through the mock's own API (it has no CreateTopics), else CreateTopics.
  public func createTopics(_ topics: [(name: String, partitions: Int32)]) async throws {
    if let cluster {
      for t in topics { try cluster.createTopic(t.name, partitions: t.partitions) }
    } else {
      let client = try KafkaClient(bootstrapServers: bootstrapServers, defaultTimeout: .seconds(10))
      // A broker that has just begun to listen may not name a controller yet, and on a loaded
      // machine (a whole test run beside it) that once outlasted the request's 10 s ("Failed
      // while waiting for controller"). A topic that exists already is not an error, so the
      // call is repeated on a timeout or a refused connection until a minute has passed.
      let deadline = ContinuousClock.now + .seconds(60)
      while true {
        do {
          try await client.createTopics(topics)
          return
        } catch let error as KafkaError where [.timedOut, .unreachable].contains(error.kind) {
          guard ContinuousClock.now < deadline else { throw error }
        }
      }
    }
  }

  /// Adds latency to every broker's responses (zero removes it). Mock regions only.
  public func setLatency(_ rtt: Duration) { cluster?.setRoundTripTime(rtt) }

  /// The next requests of API `apiKey` fail with these Kafka error codes. Mock regions only.
  public func injectErrors(apiKey: Int16, errors: [Int32]) {
    cluster?.pushRequestErrors(apiKey: apiKey, errors: errors)
  }

  /// Ends a Tansu broker now (a mock cluster ends with the region).
  public func stop() { tansu?.stop() }
}
