import Etcd
import Foundation
import HealthProbes
import Synchronization

/// Votes in etcd: `votes/INSTANCE/SUBJECT`, each under the instance's own lease, so that
/// a dead or cut-off instance's votes vanish with its lease (after at most one TTL) and
/// never count for a judgement it can no longer make.
///
/// A vote is written when it changes (state, reasons, since) and again whenever the lease
/// changes; what was last written is remembered, so that a quiet deployment costs one
/// range per round and no writes.
public final class EtcdVantageVotes: VantageVoteStore {
  let client: EtcdClient
  let prefix: String
  let leader: EtcdLeader
  let instance: String
  /// The lease the remembered votes were written under, and what was written.
  private let written = Mutex<(lease: Int64?, votes: [String: VantageVote])>((nil, [:]))

  public init(client: EtcdClient, prefix: String, leader: EtcdLeader, instance: String) {
    self.client = client
    self.prefix = prefix
    self.leader = leader
    self.instance = instance
  }

  var root: String { prefix + "votes/" }
  func key(_ subject: String) -> String { root + instance + "/" + subject }

  public func cast(_ votes: [VantageVote]) async throws {
    guard let lease = await leader.currentLease else { return }
    let before = written.withLock { $0.lease == lease ? $0.votes : [:] }
    let changed = votes.filter { v in
      guard let old = before[v.subject] else { return true }
      return old.state != v.state || old.reasons != v.reasons || old.since != v.since
    }
    guard !changed.isEmpty else { return }
    var ops: [EtcdOp] = []
    for v in changed {
      ops.append(
        .put(key(v.subject), String(decoding: try JSONCoding.encoder().encode(v), as: UTF8.self), lease: lease))
    }
    // One transaction per round: all of this instance's changed verdicts at once. Puts
    // under a lease that has just expired fail as a whole; the next round writes again.
    _ = try await client.txn(EtcdTxnRequest(compare: [], success: ops, failure: []))
    written.withLock { w in
      if w.lease != lease { w = (lease, [:]) }
      for v in changed { w.votes[v.subject] = v }
    }
  }

  public func votes() async throws -> [VantageVote] {
    try await client.prefix(root).compactMap {
      try? JSONCoding.decoder().decode(VantageVote.self, from: Data($0.text.utf8))
    }
  }
}
