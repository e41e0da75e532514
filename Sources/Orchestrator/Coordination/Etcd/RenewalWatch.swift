/// A follower's timing of the leader's renewals, on the follower's own monotonic clock: the
/// decision of when a leader has gone silent, apart from the etcd reads that feed it.
///
/// A renewal counts from when the follower first saw it, which is after the leader sent it;
/// the leader stops acting TTL − margin after sending its last successful renewal. So a
/// renewal seen a whole TTL ago with none since means the leader's self-deadline has passed.
struct RenewalWatch: Sendable {
  enum Verdict: Equatable {
    /// The leader renewed within the TTL (or is seen for the first time).
    case renewing
    /// No new renewal of this leader (`token`) since `renewal`, for a whole TTL.
    case silent(token: Int64, renewal: Int64)
  }

  let ttl: Duration
  private var seen: (token: Int64, renewal: Int64, at: ContinuousClock.Instant)?

  init(ttl: Duration) { self.ttl = ttl }

  /// The leader key's create revision (`token`) and the revision of its member entry
  /// (`renewal`, 0 when absent) as read at `at`.
  mutating func observe(token: Int64, renewal: Int64, at: ContinuousClock.Instant) -> Verdict {
    guard let seen, seen.token == token, seen.renewal == renewal else {
      // A renewal (or a leader) not seen before: the TTL counts from now.
      self.seen = (token, renewal, at)
      return .renewing
    }
    return at - seen.at >= ttl ? .silent(token: token, renewal: renewal) : .renewing
  }

  /// Forgets what was seen (this instance took the key over).
  mutating func reset() { seen = nil }
}
