import Etcd
import Foundation
import Logging

/// Leadership of the control plane on etcd: a lease and a transaction that creates the
/// leader key with it only if it does not exist (`create_revision == 0`). The key's
/// create revision is the fencing token: it only grows from one leader to the next.
///
/// The lease is renewed every TTL/3. A leader's renewal ends with a transaction that
/// rewrites its member entry only while the leader key is still held by its lease: the
/// entry's revision is the renewal followers see. The leader keeps a self-deadline, the
/// send time of the last renewal whose transaction succeeded + TTL − margin, and
/// `leadership` says follower once it has passed, whatever etcd answers later: a leader
/// frozen (SIGSTOP) or cut off past its deadline acts no more.
///
/// Followers do not wait for the dead leader's lease to expire (a new etcd raft leader
/// renews every lease to its full TTL, so a lease can outlive its holder by an election
/// and a TTL). A follower reads the leader key and the leader's member entry every
/// `pollInterval`; once it has seen no new renewal for a whole TTL on its own monotonic
/// clock, the leader's self-deadline has passed — its last renewal was sent before the
/// follower saw it, and the margin covers clock-rate drift up to margin/(TTL − margin) —
/// and the follower takes the key over in one transaction that holds only if the leader key
/// and its entry are still the ones it timed (`takeOver`).
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
  /// When the last round that kept the lease alive began: a takeover's self-deadline counts
  /// from it, as the lease does.
  private var keptAliveAt: ContinuousClock.Instant?
  private var holder: ControlPlaneMember?
  /// The leader key's revision when this instance last saw another hold it.
  private var heldAt: Int64?
  /// The other leader's renewals as this follower times them.
  private var renewals: RenewalWatch
  /// How often a follower reads the leader's renewals: what a takeover can add to the TTL.
  let pollInterval: Duration
  /// Since when this follower's reads of the leader's renewals have failed (nil while they
  /// answer): the first failure of a run and the recovery are logged, not every poll.
  private var unreadSince: ContinuousClock.Instant?
  /// When this instance last became leader.
  public private(set) var since: Date?
  /// How many times it has become leader.
  public private(set) var terms = 0
  /// `terms` when `becameLeaderSinceAsked` was last called.
  private var termsAsked = 0

  public init(client: EtcdClient, prefix: String, me: ControlPlaneMember, ttl: Duration, logger: Logger) {
    self.client = client
    key = prefix + "leader"
    self.me = me
    self.ttl = ttl
    margin = min(.seconds(1), ttl / 4)
    pollInterval = min(.milliseconds(250), max(.milliseconds(50), ttl / 20))
    renewals = RenewalWatch(ttl: ttl)
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

  /// Whether this instance has become leader since the last call (in a round, or between
  /// rounds by taking over a silent leader's key): what the caller resumes the journal on.
  public func becameLeaderSinceAsked() -> Bool {
    defer { termsAsked = terms }
    return terms > termsAsked
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
      var alive = false
      if let lease { alive = try await client.keepAlive(lease) != nil }
      if !alive {
        if let lease { lose("lease \(lease) expired") }
        lease = try await client.grant(ttl: ttlSeconds)
      }
      guard let lease else { return }
      let entry = String(
        decoding: try JSONCoding.encoder().encode(MemberEntry(member: me, lastSeen: Date())), as: UTF8.self)
      if let token {
        // The renewal followers time the leader by: the entry is rewritten only while the
        // key is still ours (it could have been taken over, or deleted by hand), and only
        // a renewal they can see moves the self-deadline.
        let renewed = try await client.txn(
          EtcdTxnRequest(
            compare: [.createRevision(key, token), .lease(key, lease)], success: [.put(memberKey, entry, lease: lease)])
        )
        if renewed.ok {
          deadline = sent + ttl - margin
        } else {
          lose("the leader key is no longer held by lease \(lease)")
        }
      } else {
        try await client.put(memberKey, entry, lease: lease)
      }
      if token == nil { try await campaign(lease, sent: sent) }
      keptAliveAt = sent
    } catch {
      logger.warning("control plane: \(error)")
    }
  }

  var memberKey: String { memberKey(of: me.instance) }

  func memberKey(of instance: String) -> String { String(key.dropLast("leader".count)) + "members/" + instance }

  private func campaign(_ id: Int64, sent: ContinuousClock.Instant) async throws {
    let value = String(decoding: try JSONCoding.encoder().encode(me), as: UTF8.self)
    let answer = try await client.txn(
      EtcdTxnRequest(
        compare: [.createRevision(key, 0)], success: [.put(key, value, lease: id), .range(key)],
        failure: [.range(key)]))
    guard let kv = answer.responses?.compactMap({ $0.response_range?.values.first }).first else { return }
    if answer.ok || kv.leaseID == id {
      become(kv.createRevision, deadline: sent + ttl - margin)
      logger.notice("control plane: \(me.instance) is the leader (fencing token \(kv.createRevision))")
    } else {
      holder = try? JSONCoding.decoder().decode(ControlPlaneMember.self, from: Data(kv.text.utf8))
      heldAt = kv.modRevision
    }
  }

  private func become(_ token: Int64, deadline: ContinuousClock.Instant) {
    self.token = token
    self.deadline = deadline
    since = Date()
    terms += 1
    holder = me
    heldAt = nil
  }

  private func lose(_ why: String) {
    if token != nil { logger.warning("control plane: \(me.instance) lost leadership: \(why)") }
    token = nil
    deadline = nil
    holder = nil
  }

  /// Until the next round is due: a leader sleeps a third of its TTL (it must renew); a
  /// follower reads the leader key and the leader's renewals every `pollInterval`
  /// meanwhile, returns as soon as the key changes (the leader resigned or its lease
  /// expired) so that it campaigns at once, and takes the key over once the leader has not
  /// renewed for a TTL.
  public func untilNextRound() async {
    let interval = ttl / 3
    guard token == nil, heldAt != nil else {
      try? await Task.sleep(for: interval)
      return
    }
    let end = ContinuousClock.now + interval
    while ContinuousClock.now < end, !Task.isCancelled {
      do {
        let ended = try await watchRenewals()
        if let since = unreadSince {
          unreadSince = nil
          logger.notice("control plane: the leader's renewals read again after \(ContinuousClock.now - since)")
        }
        if ended { return }
      } catch {
        // etcd does not answer (an election, a partition): nothing is learnt, and the
        // time since the last renewal seen keeps counting.
        if unreadSince == nil {
          unreadSince = ContinuousClock.now
          logger.warning("control plane: cannot read the leader's renewals: \(error)")
        }
      }
      try? await Task.sleep(for: pollInterval)
    }
  }

  /// One read of the leader key and the leader's member entry; true when this round should
  /// end (the key changed, or this instance took it over).
  private func watchRenewals() async throws -> Bool {
    guard let holder else { return true }
    let entryKey = memberKey(of: holder.instance)
    let answer = try await client.txn(
      EtcdTxnRequest(compare: [], success: [.range(key), .range(entryKey)]))
    let read = ContinuousClock.now
    let ranges = answer.responses?.map { $0.response_range?.values.first } ?? []
    guard ranges.count == 2, let leaderKV = ranges[0], leaderKV.modRevision == heldAt else { return true }
    let verdict = renewals.observe(token: leaderKV.createRevision, renewal: ranges[1]?.modRevision ?? 0, at: read)
    guard case .silent(let token, let renewal) = verdict else { return false }
    return try await takeOver(token: token, entryKey: entryKey, renewal: renewal)
  }

  /// The leader has not renewed for a TTL: its self-deadline has passed. Its key is
  /// deleted in a transaction that holds only if neither the key nor the leader's entry
  /// changed since they were timed, so a renewal that lands meanwhile wins; then this
  /// instance campaigns like any other (etcd refuses a delete and a put of one key in one
  /// transaction, and a put over the key would keep its create revision, the token).
  private func takeOver(token: Int64, entryKey: String, renewal: Int64) async throws -> Bool {
    guard let lease, let keptAliveAt else { return false }
    let previous = holder?.instance ?? "?"
    let deleted = try await client.txn(
      EtcdTxnRequest(compare: [.createRevision(key, token), .modRevision(entryKey, renewal)], success: [.delete(key)]))
    guard deleted.ok else { return true }
    renewals.reset()
    logger.notice("control plane: \(previous) has not renewed for \(ttl): \(me.instance) removed its leader key")
    try await campaign(lease, sent: keptAliveAt)
    return true
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
