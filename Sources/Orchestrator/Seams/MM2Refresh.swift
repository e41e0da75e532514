import Synchronization
import Topology

/// Reads a flow's MM2 topics up to their current end into the local store: what the
/// executor's refresh-checkpoints and drain steps do before translating. `IngestRefresh`
/// reads the real topics; tests substitute one that stores what they script.
public protocol MM2Refresh: Sendable {
  /// - Parameter sourceTimeout: bounds the part read from the flow's source (which an
  ///   unplanned failover expects to be gone).
  func catchUp(_ flow: Flow, timeout: Duration, sourceTimeout: Duration?) async throws -> MM2Ingester.Stats
}

/// Catches up with one `MM2Ingester` per flow, made on first use and kept (a drain
/// catches up every half second); its consumers are its own, never those of the
/// long-running ingester of the same flow. Catch-ups of one flow run one after the other:
/// two failovers draining the same flow must not re-assign one ingester's consumers under
/// each other (an actor's methods interleave at every await).
public final class IngestRefresh: MM2Refresh {
  let topology: Topology
  let store: StateStore
  private let lanes = Mutex<[String: (ingester: MM2Ingester, tail: Task<Void, Never>?)]>([:])

  public init(topology: Topology, store: StateStore) {
    self.topology = topology
    self.store = store
  }

  public func catchUp(_ flow: Flow, timeout: Duration, sourceTimeout: Duration?) async throws -> MM2Ingester.Stats {
    let done = AsyncStream<Void>.makeStream()
    defer { done.continuation.finish() }
    let (ingester, previous) = try lanes.withLock { all in
      let ingester = try all[flow.name]?.ingester ?? MM2Ingester(flow: flow, topology: topology, store: store)
      let previous = all[flow.name]?.tail
      // The next catch-up of this flow waits until this one has finished.
      all[flow.name] = (ingester, Task { for await _ in done.stream {} })
      return (ingester, previous)
    }
    await previous?.value
    return try await ingester.catchUp(timeout: timeout, sourceTimeout: sourceTimeout)
  }
}
