/// A shared store whose service states can be followed as they change, so that every
/// instance serves the leader's changes at once instead of at its next poll.
public protocol ServiceStateFeed: Sendable {
  /// Gives `publish` every service's state as it is now, then each change as it is made,
  /// for about `window`; returns then (the caller follows again). Tells `confirmed` when
  /// the read that every round starts with was sent, once it has answered: what was
  /// published is current as of then. Throws when the store cannot be read or the feed is
  /// cut off.
  func follow(
    window: Duration, publish: @escaping @Sendable (ServiceState) -> Void,
    confirmed: @escaping @Sendable (ContinuousClock.Instant) -> Void
  ) async throws
}
