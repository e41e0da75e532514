/// A service's topics on one cluster: what the standby-writes watch keeps a baseline of
/// and reports.
public struct ServiceOnCluster: Sendable, Hashable {
  public let service: String
  public let cluster: String

  public init(service: String, cluster: String) {
    self.service = service
    self.cluster = cluster
  }
}
