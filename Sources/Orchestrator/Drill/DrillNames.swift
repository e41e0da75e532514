import Topology

/// The names a drill uses on the clusters.
public enum DrillNames {
  /// The consumer group of a service's drill canary: translated with the service's own groups
  /// (its positions are what a drill measures).
  public static func group(of service: String) -> String { "failoverctl-drill.\(service)" }
}

extension Service {
  /// The groups a failover of the service translates by name: its own, and its drill's canary group.
  public var groupsToTranslate: [String] { consumerGroups + [DrillNames.group(of: name)] }
}
