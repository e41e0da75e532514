import MM2

extension Flow {
  /// MM2's naming for this flow; `offset-preserving` links keep names like `identity`.
  public var naming: ReplicationNaming {
    ReplicationNaming(
      policy: replicationPolicy == .default ? .prefixed : .identity, separator: separator,
      sourceAlias: sourceAlias, targetAlias: targetAlias)
  }

  /// Where MM2 writes checkpoints (on the target), unless overridden in the topology.
  public var checkpointsTopic: String { internalTopics.checkpoints ?? naming.checkpointsTopic }
  public var offsetSyncsTopic: String { internalTopics.offsetSyncs ?? naming.offsetSyncsTopic }
  /// The cluster holding the offset-syncs topic.
  public var offsetSyncsCluster: String { offsetSyncsLocation == .source ? source : target }
  /// The source's heartbeats as replicated to the target.
  public var remoteHeartbeatsTopic: String {
    internalTopics.heartbeats.map { naming.remoteTopic($0) } ?? naming.remoteHeartbeatsTopic
  }

  public func remoteTopic(_ topic: String) -> String { naming.remoteTopic(topic) }
}
