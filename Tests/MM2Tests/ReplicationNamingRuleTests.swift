import MM2
import Testing

/// MM2's naming rules, checked against the cases Apache Kafka's own tests pin down
/// (`MirrorCheckpointTaskTest.testDownstreamTopicRenaming`, `DefaultReplicationPolicy`,
/// `MirrorSourceConnector.isCycle`, `MirrorConnectorConfig.offsetSyncsTopic`).
@Suite("MM2 naming rules, as Apache Kafka's MirrorMaker 2 applies them")
struct ReplicationNamingRuleTests {
  let flow = ReplicationNaming(policy: .prefixed, sourceAlias: "source1", targetAlias: "target2")

  @Test func checkpointsNameTheTopicAsItIsOnTheTarget() {
    // MirrorCheckpointTaskTest.testDownstreamTopicRenaming, case by case.
    #expect(flow.checkpointTopic(forUpstream: "topic3") == "source1.topic3")
    #expect(flow.checkpointTopic(forUpstream: "target2.topic3") == "topic3")
    #expect(flow.checkpointTopic(forUpstream: "source6.topic7") == "source1.source6.topic7")
    // originalTopic follows every hop back: a copy of a copy that came from the target.
    #expect(flow.checkpointTopic(forUpstream: "target2.source6.topic7") == "topic7")
  }

  @Test func aCheckpointIsReadBackToTheTopicOnTheSource() {
    let known = ["topic3", "target2.topic3", "source6.topic7"]
    for upstream in known {
      #expect(
        flow.upstreamTopic(ofCheckpointTopic: flow.checkpointTopic(forUpstream: upstream), known: known) == upstream)
    }
    // Without knowing the source's topics: the single hop.
    #expect(flow.upstreamTopic(ofCheckpointTopic: "source1.orders", known: []) == "orders")
    #expect(flow.upstreamTopic(ofCheckpointTopic: "orders", known: []) == "target2.orders")
    // Two source topics MM2 names alike: the single hop wins.
    #expect(
      flow.upstreamTopic(ofCheckpointTopic: "orders", known: ["target2.x.orders", "target2.orders"])
        == "target2.orders")
    #expect(flow.upstreamTopic(ofCheckpointTopic: "orders", known: ["target2.x.orders"]) == "target2.x.orders")
  }

  @Test func identityKeepsNamesButPrefixesHeartbeats() {
    let identity = ReplicationNaming(policy: .identity, sourceAlias: "east", targetAlias: "west")
    #expect(identity.checkpointTopic(forUpstream: "orders") == "orders")
    #expect(identity.checkpointTopic(forUpstream: "west.orders") == "west.orders")
    #expect(identity.upstreamTopic(ofCheckpointTopic: "orders", known: []) == "orders")
    #expect(identity.remoteTopic("heartbeats") == "east.heartbeats")
    #expect(identity.topicSource("orders") == nil)
    #expect(identity.originalTopic("a.b") == "a.b")
  }

  @Test func defaultPolicySplitsOnTheSeparatorAsJavaDoes() {
    #expect(flow.topicSource("orders") == nil)
    #expect(flow.topicSource("east.orders") == "east")
    #expect(flow.topicSource("a.b.c") == "a")
    // Pattern.split drops trailing empty strings: `orders.` is not a remote topic.
    #expect(flow.topicSource("orders.") == nil)
    #expect(flow.upstreamOf("a.b.c") == "b.c")
    #expect(flow.originalTopic("a.b.c") == "c")
    let underscore = ReplicationNaming(policy: .prefixed, separator: "__", sourceAlias: "e", targetAlias: "w")
    #expect(underscore.checkpointTopic(forUpstream: "orders") == "e__orders")
    #expect(underscore.checkpointTopic(forUpstream: "w__orders") == "orders")
  }

  @Test func topicsThatCameFromTheTargetAreNotReplicatedBack() {
    let e2w = ReplicationNaming(policy: .prefixed, sourceAlias: "source", targetAlias: "target")
    #expect(e2w.isCycle("target.topic1"))
    #expect(e2w.isCycle("target.source.topic1"))
    #expect(e2w.isCycle("source.target.topic1"))
    #expect(!e2w.isCycle("topic1"))
    #expect(!e2w.isCycle("source.topic1"))
    #expect(!e2w.isCycle("other.topic1"))
    #expect(ReplicationNaming.isInternalTopic("mm2-offset-syncs.west.internal"))
    #expect(ReplicationNaming.isInternalTopic("__consumer_offsets"))
    #expect(!ReplicationNaming.isInternalTopic("orders"))
  }

  @Test func offsetSyncsAreNamedAfterTheOtherCluster() {
    let e2w = ReplicationNaming(policy: .prefixed, sourceAlias: "east", targetAlias: "west")
    #expect(e2w.offsetSyncsTopic(onTarget: false) == "mm2-offset-syncs.west.internal")
    #expect(e2w.offsetSyncsTopic(onTarget: true) == "mm2-offset-syncs.east.internal")
  }
}
