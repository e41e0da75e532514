import Foundation

extension Cluster {
  /// librdkafka properties to connect with, secrets resolved now and held only in memory.
  public func clientProperties(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws -> [String: String] {
    var props = try properties.mapValues { try SecretReference.resolve($0, environment: environment) }
    props["bootstrap.servers"] = bootstrapServers
    return props
  }
}
