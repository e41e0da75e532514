import Etcd
import Foundation
import Logging

/// Leadership of the control plane on etcd: a lease and a transaction that creates the
/// leader key with it only if it does not exist (`create_revision == 0`). The key's
/// create revision is the fencing token: it only grows from one leader to the next.
///
/// The lease is renewed every TTL/3. The leader keeps a self-deadline, the send time of
/// the last successful renewal + TTL − margin, and `leadership` says follower once it has
/// passed, whatever etcd answers later: a leader frozen (SIGSTOP) or cut off past its
/// deadline acts no more, before its lease can have been given to another.
public actor EtcdLeader {
  let client: EtcdClient
  public let key: String
  let me: ControlPlaneMember
  let ttl: Duration
  let margin: Duration
  let logger: Logger
  private var lease: Int64?
  private var token: Int64?
  private var deadline: ContinuousClock.Instant?
  private var holder: ControlPlaneMember?
  /// The leader key's revision when this instance last saw another hold it.
  private var heldAt: Int64?
  /// When this instance last became leader.
  public private(set) var since: Date?
  /// How many times it has become leader.
  public private(set) var terms = 0

  public init(client: EtcdClient, prefix: String, me: ControlPlaneMember, ttl: Duration, logger: Logger) {
    self.client = client
    key = prefix + "leader"
    self.me = me
    self.ttl = ttl
    margin = min(.seconds(1), ttl / 4)
    self.logger = logger
  }

  var ttlSeconds: Int64 { max(1, Int64((ttl / .seconds(1)).rounded(.up))) }

  /// Leader with its token while the self-deadline has not passed; else follower.
  public var leadership: Leadership {
    if let token, let deadline, ContinuousClock.now < deadline { return .leader(token: token) }
    return .follower(leader: holder?.instance)
  }

  /// The lease and token a guarded write must still match, while leading.
  var fence: (token: Int64, lease: Int64)? {
    guard case .leader(let token) = leadership, let lease else { return nil }
    return (token, lease)
  }

  /// This instance's lease while it holds one: what its membership and votes live under.
  public var currentLease: Int64? { lease }

  /// The leader as last seen (this instance when it leads).
  public var currentHolder: ControlPlaneMember? { leadership.isLeader ? me : holder }

  /// A member's entry under `members/`, kept alive by its lease.
  public struct MemberEntry: Sendable, Codable, Equatable {
    public let member: ControlPlaneMember
    public let lastSeen: Date
  }

  /// Campaigns and renews until cancelled; on the way out gives the lease back, so that a
  /// planned stop hands leadership over at once instead of after the TTL.
  public func run() async {
    while !Task.isCancelled {
      await step()
      await untilNextRound()
    }
    await resign()
  }

  /// One round: keep this instance's lease alive (it carries its membership and, when it
  /// leads, the leader key), refresh its member entry, and campaign when nobody leads.
  public func step() async {
    do {
      let sent = ContinuousClock.now
      if let lease, try await client.keepAlive(lease) != nil {
        if token != nil {
          // The lease lives; the key must still be ours (it could have been deleted by hand).
          if let kv = try await client.get(key), kv.leaseID == lease, kv.createRevision == token {
            deadline = sent + ttl - margin
          } else {
            lose("the leader key is no longer held by lease \(lease)")
          }
        }
      } else {
        if let lease { lose("lease \(lease) expired") }
        lease = try await client.grant(ttl: ttlSeconds)
      }
      guard let lease else { return }
      let entry = MemberEntry(member: me, lastSeen: Date())
      try await client.put(
        memberKey, String(decoding: try JSONCoding.encoder().encode(entry), as: UTF8.self), lease: lease)
      if token == nil { try await campaign(lease, sent: sent) }
    } catch {
      logger.warning("control plane: \(error)")
    }
  }

  var memberKey: String { String(key.dropLast("leader".count)) + "members/" + me.instance }

  private func campaign(_ id: Int64, sent: ContinuousClock.Instant) async throws {
    let value = String(decoding: try JSONCoding.encoder().encode(me), as: UTF8.self)
    let answer = try await client.txn(
      EtcdTxnRequest(
        compare: [.createRevision(key, 0)], success: [.put(key, value, lease: id), .range(key)],
        failure: [.range(key)]))
    guard let kv = answer.responses?.compactMap({ $0.response_range?.values.first }).first else { return }
    if answer.ok || kv.leaseID == id {
      token = kv.createRevision
      deadline = sent + ttl - margin
      since = Date()
      terms += 1
      holder = me
      logger.notice("control plane: \(me.instance) is the leader (fencing token \(kv.createRevision))")
    } else {
      holder = try? JSONCoding.decoder().decode(ControlPlaneMember.self, from: Data(kv.text.utf8))
      heldAt = kv.modRevision
    }
  }

  private func lose(_ why: String) {
    if token != nil { logger.warning("control plane: \(me.instance) lost leadership: \(why)") }
    token = nil
    deadline = nil
    holder = nil
  }

  /// Until the next round is due: a leader sleeps a third of its TTL (it must renew); a
  /// follower watches the leader key meanwhile and returns as soon as it changes (the
  /// leader's lease expired or it resigned), so that it campaigns at once instead of at
  /// its next round.
  public func untilNextRound() async {
    let interval = ttl / 3
    guard token == nil, let heldAt else {
      try? await Task.sleep(for: interval)
      return
    }
    let started = ContinuousClock.now
    // Only a change of the key ends the wait early. A compacted revision (the key has not
    // changed since before the last compaction) or a failed watch sleeps out the round:
    // otherwise a follower would campaign in a tight loop.
    let end = try? await client.watch(prefix: key, from: heldAt + 1, window: interval) { _, _ in false }
    if end != .stopped { try? await Task.sleep(for: interval - (ContinuousClock.now - started)) }
  }

  /// Every member whose lease is alive, with when it last renewed.
  public func members() async throws -> [MemberEntry] {
    try await client.prefix(String(key.dropLast("leader".count)) + "members/").compactMap {
      try? JSONCoding.decoder().decode(MemberEntry.self, from: Data($0.text.utf8))
    }
  }

  /// Gives leadership up now (revokes the lease: the key goes with it).
  public func resign() async {
    // In a task of its own: resigning is what a cancelled run does last, and a cancelled
    // caller would stop the revoke before it is sent (the HTTP pool refuses cancelled work).
    if let lease {
      let client = self.client
      try? await Task { try await client.revoke(lease) }.value
    }
    lease = nil
    lose("resigned")
  }
}
