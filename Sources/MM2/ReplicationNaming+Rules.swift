/// MirrorMaker 2's topic-naming rules, each as Apache Kafka 3.x/4.x implements it (package
/// `org.apache.kafka.connect.mirror`); docs/offset-translation.md states them with examples.
extension ReplicationNaming {
  /// `ReplicationPolicy.topicSource`: the cluster a topic was replicated from, or nil for a
  /// topic that is not a remote one. `DefaultReplicationPolicy` splits the name on the
  /// separator (`Pattern.split`, which drops trailing empty parts) and takes the first part
  /// when there are two or more, so any name holding the separator counts as remote
  /// (`my.topic` "comes from" `my`). `IdentityReplicationPolicy` cannot tell from a name and
  /// answers nil, except for heartbeats, which it names as the default policy does.
  public func topicSource(_ topic: String) -> String? {
    if policy == .identity && !Self.looksLikeHeartbeat(topic) { return nil }
    var parts = topic.split(separator: separator, omittingEmptySubsequences: false)
    while parts.last?.isEmpty == true { parts.removeLast() }
    return parts.count < 2 ? nil : String(parts[0])
  }

  /// `ReplicationPolicy.upstreamTopic`: the name one hop upstream, or nil for a topic that is
  /// not remote. Identity: the name itself (heartbeats aside).
  public func upstreamOf(_ topic: String) -> String? {
    if policy == .identity && !Self.looksLikeHeartbeat(topic) { return topic }
    guard let source = topicSource(topic) else { return nil }
    return String(topic.dropFirst(source.count + separator.count))
  }

  /// `ReplicationPolicy.originalTopic`: the name where the topic was first written, however
  /// many hops it came (`west.east.orders` → `orders`). With the default policy the answer
  /// never holds the separator.
  public func originalTopic(_ topic: String) -> String {
    var current = topic
    // Identity answers a topic as its own upstream; Kafka's later versions stop there too.
    while let upstream = upstreamOf(current), upstream != current { current = upstream }
    return current
  }

  /// `MirrorCheckpointTask.renameTopicPartition`: the topic a checkpoint's key names, which
  /// is the group's topic as named on the *target*. A topic that came from the target is
  /// named back to its original (`west.orders` on east is checkpointed on west as
  /// `orders`); any other is the remote topic (`orders` → `east.orders`; identity keeps it).
  public func checkpointTopic(forUpstream topic: String) -> String {
    if topicSource(topic) == targetAlias {
      return originalTopic(topic)
    }
    return remoteTopic(topic)
  }

  /// The inverse of `checkpointTopic(forUpstream:)`: the topic on the source a checkpoint is
  /// about. Among `known` source topics, the one MM2 would have named so is the answer (the
  /// rule run forwards, never guessed backwards); without one, the single-hop reading: a name
  /// with the source's prefix is that prefix removed, any other came from the target
  /// (`orders` → `west.orders`); identity keeps the name.
  public func upstreamTopic(ofCheckpointTopic topic: String, known: some Sequence<String>) -> String {
    var matches: [String] = []
    for candidate in known where checkpointTopic(forUpstream: candidate) == topic && !matches.contains(candidate) {
      matches.append(candidate)
    }
    let singleHop = singleHopUpstream(ofCheckpointTopic: topic)
    // Several source topics can map to one name (`west.orders` and `west.central.orders` both
    // become `orders`, which MM2 itself cannot tell apart): the single hop wins then.
    if matches.count == 1 { return matches[0] }
    if matches.contains(singleHop) || matches.isEmpty { return singleHop }
    return matches.sorted()[0]
  }

  private func singleHopUpstream(ofCheckpointTopic topic: String) -> String {
    switch policy {
    case .identity:
      return topic
    case .prefixed:
      let prefix = sourceAlias + separator
      return topic.hasPrefix(prefix) ? String(topic.dropFirst(prefix.count)) : targetAlias + separator + topic
    }
  }

  /// `IdentityReplicationPolicy.looksLikeHeartbeat`: the name ends with `heartbeats`.
  public static func looksLikeHeartbeat(_ topic: String) -> Bool { topic.hasSuffix(heartbeatsTopic) }

  /// `ReplicationPolicy.isInternalTopic`: never replicated.
  public static func isInternalTopic(_ topic: String) -> Bool {
    topic.hasSuffix(".internal") || topic.hasSuffix("-internal") || topic.hasPrefix("__") || topic.hasPrefix(".")
  }

  /// `MirrorSourceConnector.isCycle`: a topic that came (over any number of hops) from the
  /// target is not replicated back to it.
  public func isCycle(_ topic: String) -> Bool {
    var current = topic
    while let source = topicSource(current) {
      if source == targetAlias { return true }
      guard let upstream = upstreamOf(current), upstream != current else { return false }
      current = upstream
    }
    return false
  }

  /// `MirrorConnectorConfig.offsetSyncsTopic`: `mm2-offset-syncs.<alias>.internal`, where the
  /// alias is the *other* cluster's: the target's when the topic lives on the source (the
  /// default, `offset-syncs.topic.location=source`), the source's when it lives on the target.
  public func offsetSyncsTopic(onTarget: Bool) -> String {
    "mm2-offset-syncs" + separator + (onTarget ? sourceAlias : targetAlias) + separator + "internal"
  }
}
