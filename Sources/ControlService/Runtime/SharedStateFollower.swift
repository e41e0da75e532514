import Foundation
import Logging
import Orchestrator
import ServiceLifecycle
import Synchronization

/// Serves discovery from the shared state on every instance, not only the leader: follows
/// the services' states in the coordination store (an etcd watch, re-read every `window`)
/// and publishes any that changed, so that clients of any surviving instance see the same
/// epoch as soon as the leader has written it. A store without a feed is read every
/// `window` instead.
///
/// Each round's read confirms that what is served is current as of when it was sent; an
/// instance that cannot confirm it for `staleAfter` stops serving discovery (the board goes
/// stale) until it can again.
struct SharedStateFollower: ServiceLifecycle.Service {
  let store: any CoordinationStore
  /// The store's change feed, where it has one (etcd's watch).
  let feed: (any ServiceStateFeed)?
  let board: DiscoveryBoard
  let publish: @Sendable (ServiceState) -> Void
  let window: Duration
  let logger: Logger

  /// How often the shared state is read whole (a watch covers what happens between).
  static let window: Duration = .seconds(3)
  /// A round's read and a slow answer fit in this: past it, the instance has lost touch.
  static let staleAfter: Duration = window + .seconds(2)

  func run() async throws {
    let served = Mutex(ServedStates())
    let (board, toBoard) = (self.board, self.publish)
    let confirmed: @Sendable (ContinuousClock.Instant) -> Void = { sent in
      board.confirm(until: sent + Self.staleAfter)
    }
    let publish: @Sendable (ServiceState) -> Void = { state in
      if served.withLock({ $0.admit(state) }) { toBoard(state) }
    }
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        do {
          if let feed {
            try await feed.follow(window: window, publish: publish, confirmed: confirmed)
          } else {
            let sent = ContinuousClock.now
            for state in try await store.serviceStates() { publish(state) }
            confirmed(sent)
            try? await Task.sleep(for: window)
          }
        } catch is CancellationError {
          return
        } catch {
          logger.warning("shared state not followed: \(error)")
          try? await Task.sleep(for: .seconds(1))
        }
      }
    }
  }
}
