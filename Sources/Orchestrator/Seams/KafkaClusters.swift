import KafkaClient
import Synchronization
import Topology

/// A client for each cluster of the topology, by name: where the decision code gets its
/// `KafkaOperations` from, so that it never builds librdkafka handles inside its steps.
public protocol KafkaClusters: Sendable {
  /// Throws when the topology has no such cluster or refuses its client configuration.
  func client(_ cluster: String) throws -> any KafkaOperations
}

/// The real clusters: one `KafkaClient` per cluster, made on first use and kept for the
/// life of the process (librdkafka reconnects by itself when a cluster comes back).
public final class TopologyKafkaClusters: KafkaClusters {
  let topology: Topology
  let timeout: Duration
  private let clients = Mutex<[String: KafkaClient]>([:])

  /// - Parameter timeout: the clients' default timeout, for calls that give none.
  public init(topology: Topology, timeout: Duration = .seconds(10)) {
    self.topology = topology
    self.timeout = timeout
  }

  public func client(_ cluster: String) throws -> any KafkaOperations {
    if let c = clients.withLock({ $0[cluster] }) { return c }
    guard let config = topology.cluster(cluster) else {
      throw FailoverError(.unknownCluster, "no cluster \"\(cluster)\" in the topology")
    }
    let made = try config.makeClient(timeout: timeout)
    return clients.withLock { all in
      if let raced = all[cluster] { return raced }
      all[cluster] = made
      return made
    }
  }
}
