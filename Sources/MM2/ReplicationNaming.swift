/// Topic names as MirrorMaker 2 derives them for one flow (source alias → target alias),
/// following `DefaultReplicationPolicy` and `IdentityReplicationPolicy` of Kafka 3.x
/// (with `replication.policy.internal.topic.separator.enabled=true`, the default).
public struct ReplicationNaming: Sendable, Equatable {
  public enum Policy: Sendable, Equatable {
    /// `orders` on the source is `<sourceAlias><separator>orders` on the target.
    case prefixed
    /// Names kept.
    case identity
  }

  public var policy: Policy
  public var separator: String
  public var sourceAlias: String
  public var targetAlias: String

  public init(policy: Policy, separator: String = ".", sourceAlias: String, targetAlias: String) {
    self.policy = policy
    self.separator = separator
    self.sourceAlias = sourceAlias
    self.targetAlias = targetAlias
  }

  /// The name on the target of a source topic (`ReplicationPolicy.formatRemoteTopic`):
  /// identity keeps names, except heartbeats, which it prefixes as the default policy does.
  public func remoteTopic(_ topic: String) -> String {
    switch policy {
    case .prefixed: sourceAlias + separator + topic
    case .identity: Self.looksLikeHeartbeat(topic) ? sourceAlias + separator + topic : topic
    }
  }

  /// The source topic of a target topic, or nil if it is not a replica from this source.
  public func upstreamTopic(_ remote: String) -> String? {
    switch policy {
    case .prefixed:
      let prefix = sourceAlias + separator
      return remote.hasPrefix(prefix) ? String(remote.dropFirst(prefix.count)) : nil
    case .identity:
      return remote
    }
  }

  /// `<source>.checkpoints.internal`, on the target cluster.
  public var checkpointsTopic: String { sourceAlias + separator + "checkpoints" + separator + "internal" }

  /// `mm2-offset-syncs.<target>.internal`, on the source cluster by default.
  public var offsetSyncsTopic: String { "mm2-offset-syncs" + separator + targetAlias + separator + "internal" }

  /// MM2's heartbeat topic on the cluster that emits them.
  public static let heartbeatsTopic = "heartbeats"

  /// The source's heartbeats as replicated to the target (`east.heartbeats`). Even the
  /// identity policy prefixes heartbeats, so that they never replicate in a cycle.
  public var remoteHeartbeatsTopic: String { sourceAlias + separator + Self.heartbeatsTopic }
}
