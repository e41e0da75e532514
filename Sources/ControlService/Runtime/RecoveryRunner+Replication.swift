import KafkaConnect
import Orchestrator
import Topology

extension RecoveryRunner {
  /// After a recovery: the old primary's MirrorSourceConnector, paused since the failover,
  /// would copy the tail a second time once replication from the old primary resumes (it
  /// goes on after the last record it copied). Its offsets are moved past the tail through
  /// Connect's REST API (KIP-875: stop, alter, then back to paused), in quarantine too (the
  /// copy topic is read by consumers; a quarantined tail must not reach them that way).
  /// What became of it is the recovery's `replication` note; a Connect that cannot (older
  /// than 3.6, unreachable) is said there with what to do by hand.
  static func skipRecoveredTail(
    _ r: RecoveryRecord, topology: Topology, store: any CoordinationStore, connect: any ConnectControl
  ) async -> String {
    guard let flow = topology.flow(from: r.sourceCluster, to: r.targetCluster) else {
      return "no flow \(r.sourceCluster)->\(r.targetCluster): nothing copies the tail again"
    }
    let offsets = r.partitions.filter(\.isDone).map {
      ConnectorOffset.mirrorSource(
        cluster: flow.sourceAlias, topic: $0.topic, partition: $0.partition, next: $0.tailEnd)
    }
    guard !offsets.isEmpty else { return "no partition copied: \(flow.name) left as it is" }
    let connector = flow.connectors.source
    let byHand =
      "before resuming \(flow.name), stop \(connector), set its offsets past the tail (PATCH /connectors/"
      + "\(connector)/offsets: "
      + r.partitions.map { "\($0.topic)[\($0.partition)] offset \($0.tailEnd - 1)" }
      .joined(separator: ", ") + "; docs/runbooks.md), or it copies the tail a second time"
    guard let url = topology.connectURL(of: flow) else { return "no Connect URL for \(flow.name): \(byHand)" }
    guard case .leader(let token)? = try? await store.leadership() else {
      return "this instance no longer leads: \(byHand)"
    }
    // Left as it was found: paused after the failover, or running if an operator resumed it.
    var then = ConnectVerb.pause
    if case .found(let s)? = try? await connect.status(of: connector, at: url, timeout: .seconds(5)),
      s.connector.state == ConnectorStatus.running
    {
      then = .resume
    }
    do {
      let note = try await connect.alterOffsets(
        connector, ConnectorOffsets(offsets: offsets), at: url, then: then, fencingToken: token)
      return "\(note): \(flow.name) goes on after the recovered tail"
    } catch {
      return "\(flow.name) not moved past the tail (\(error)): \(byHand)"
    }
  }
}
