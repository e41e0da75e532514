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
  /// Named after the other cluster than the one holding it (`MirrorConnectorConfig.offsetSyncsTopic`):
  /// `mm2-offset-syncs.west.internal` on east by default, `mm2-offset-syncs.east.internal` on
  /// west with `offset-syncs.topic.location=target`.
  public var offsetSyncsTopic: String {
    internalTopics.offsetSyncs ?? naming.offsetSyncsTopic(onTarget: offsetSyncsLocation == .target)
  }
  /// The cluster holding the offset-syncs topic.
  public var offsetSyncsCluster: String { offsetSyncsLocation == .source ? source : target }
  /// The source's heartbeats as replicated to the target.
  public var remoteHeartbeatsTopic: String {
    internalTopics.heartbeats.map { naming.remoteTopic($0) } ?? naming.remoteHeartbeatsTopic
  }

  public func remoteTopic(_ topic: String) -> String { naming.remoteTopic(topic) }

  /// Whether MM2 replicates a source topic along this flow: it matches the flow's `topics`
  /// filter and is neither internal nor a cycle back to the target
  /// (`MirrorSourceConnector.shouldReplicateTopic`). Heartbeats are left out: they are MM2's
  /// own, and measured as heartbeat age.
  public func replicates(topic: String) -> Bool {
    guard !ReplicationNaming.isInternalTopic(topic), !ReplicationNaming.looksLikeHeartbeat(topic),
      !naming.isCycle(topic)
    else { return false }
    return (try? Regex(topicsPattern).wholeMatch(in: topic)) != nil
  }
}
