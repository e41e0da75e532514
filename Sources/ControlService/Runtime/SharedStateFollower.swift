import Foundation
import Logging
import Orchestrator
import ServiceLifecycle

/// Serves discovery from the shared state on every instance, not only the leader: reads
/// the services' states from the coordination store every `interval` and publishes any
/// that changed, so that clients of any surviving instance see the same epoch (within one
/// interval of the leader's change).
struct SharedStateFollower: ServiceLifecycle.Service {
  let runtime: ControlRuntime
  let interval: Duration
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown {
      var seen: [String: ServiceState] = [:]
      while !Task.isCancelled {
        do {
          for state in try await runtime.store.serviceStates() where seen[state.service] != state {
            seen[state.service] = state
            runtime.publish(state)
          }
        } catch {
          logger.warning("shared state not read: \(error)")
        }
        try? await Task.sleep(for: interval)
      }
    }
  }
}
