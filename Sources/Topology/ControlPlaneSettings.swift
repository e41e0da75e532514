/// The `controlPlane:` section: several orchestrators coordinated through etcd. Absent:
/// one orchestrator, standalone on its SQLite file.
public struct ControlPlaneSettings: Sendable, Equatable {
  /// The etcd client URLs (`http://host:2379`), tried in turn.
  public var endpoints: [String]
  /// Every key of this deployment lives under it; several deployments may share an etcd.
  public var prefix: String = "/failoverctl/"
  /// The leader's lease: a dead leader is replaced after at most this long.
  public var leaseTTL: Duration = .seconds(10)

  public init(endpoints: [String], prefix: String = "/failoverctl/", leaseTTL: Duration = .seconds(10)) {
    self.endpoints = endpoints
    self.prefix = prefix
    self.leaseTTL = leaseTTL
  }
}
