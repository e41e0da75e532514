/// What a client of a service may do now: the last document it has, and whether it may
/// produce (the document says the cluster is writable and its lease has not run out).
public struct FollowerState: Sendable, Equatable {
  public let document: DiscoveryView
  public let writesAllowed: Bool
  /// Why writes are allowed or not, for a log line or a generated file's comment.
  public let reason: String
}

/// The lease, as a state machine over instants: what the follower hears and when, and
/// the state that changes with it. Pure, so that its rules are tested without a clock.
public struct LeaseBook: Sendable {
  public private(set) var document: DiscoveryView?
  public private(set) var heardAt: ContinuousClock.Instant?
  public private(set) var expired = false

  public init() {}

  /// A document: news when its epoch is newer than the one held (a replay is not).
  public mutating func received(_ d: DiscoveryView, at instant: ContinuousClock.Instant) -> FollowerState? {
    let wasExpired = expired
    heard(at: instant)
    if let held = document, d.epoch <= held.epoch { return wasExpired ? state : nil }
    document = d
    return state
  }

  /// Word from a server that the held document is current (a heartbeat, a 304), as of
  /// `instant`: the lease starts again; a lapsed one is restored.
  public mutating func confirmed(at instant: ContinuousClock.Instant) -> FollowerState? {
    let wasExpired = expired
    heard(at: instant)
    return wasExpired && document != nil ? state : nil
  }

  /// The lease ran out at `now`: writes stop until a server is heard again.
  public mutating func check(now: ContinuousClock.Instant) -> FollowerState? {
    guard !expired, let document, let heardAt, now - heardAt > document.lease else { return nil }
    expired = true
    return state
  }

  private mutating func heard(at instant: ContinuousClock.Instant) {
    heardAt = max(heardAt ?? instant, instant)
    expired = false
  }

  public var state: FollowerState? {
    guard let document else { return nil }
    if expired {
      return FollowerState(
        document: document, writesAllowed: false,
        reason:
          "lease of \(document.leaseSeconds ?? DiscoveryView.defaultLeaseSeconds) s ran out: no word from any server")
    }
    if !document.active.writable {
      return FollowerState(
        document: document, writesAllowed: false, reason: "\(document.active.cluster) is fenced (\(document.state))")
    }
    return FollowerState(document: document, writesAllowed: true, reason: "\(document.active.cluster) is active")
  }
}
