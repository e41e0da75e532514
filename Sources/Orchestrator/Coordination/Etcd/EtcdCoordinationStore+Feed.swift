import Etcd

/// One round: a read of `services/` (with its revision), then an etcd watch from the
/// next revision for the window. A fresh read each round also covers what a watch cannot:
/// a compacted revision, a member that froze after the watch started, a missed event.
extension EtcdCoordinationStore: ServiceStateFeed {
  public func follow(
    window: Duration, publish: @escaping @Sendable (ServiceState) -> Void,
    confirmed: @escaping @Sendable (ContinuousClock.Instant) -> Void
  ) async throws {
    let sent = ContinuousClock.now
    let (values, revision) = try await client.snapshot(prefix + "services/")
    for kv in values { publish(try Self.decode(ServiceState.self, kv)) }
    confirmed(sent)
    _ = try await client.watch(prefix: prefix + "services/", from: revision + 1, window: window) { events, _ in
      for event in events where !event.isDelete {
        if let state = try? Self.decode(ServiceState.self, event.kv) { publish(state) }
      }
      return true
    }
  }
}
