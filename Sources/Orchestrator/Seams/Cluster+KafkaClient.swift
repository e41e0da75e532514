import KafkaClient
import Topology

extension Cluster {
  /// A client of this cluster, its secrets resolved now. Here, not in `Topology`: the
  /// topology describes clusters and knows no Kafka client.
  public func makeClient(timeout: Duration = .seconds(10)) throws -> KafkaClient {
    try KafkaClient(properties: clientProperties(), defaultTimeout: timeout)
  }
}
