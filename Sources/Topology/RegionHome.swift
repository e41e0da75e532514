/// Active-active: the cluster the clients of one region use while it is up, the peers they
/// move to when it is not (in order of preference), and their own consumer groups.
public struct RegionHome: Sendable, Equatable {
  public var region: String
  public var cluster: String
  /// Where the region's clients go when `cluster` fails: the first healthy one.
  public var peers: [String]
  /// Groups only this region's clients use; their offsets move with them.
  public var consumerGroups: [String]
  public var location: SourceLocation?

  public init(
    region: String, cluster: String, peers: [String] = [], consumerGroups: [String] = [],
    location: SourceLocation? = nil
  ) {
    self.region = region
    self.cluster = cluster
    self.peers = peers
    self.consumerGroups = consumerGroups
    self.location = location
  }
}
