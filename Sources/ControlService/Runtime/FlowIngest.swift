import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// Follows one flow's MM2 internal topics into SQLite for the life of the service.
struct FlowIngest: ServiceLifecycle.Service {
  let ingester: MM2Ingester
  let logger: Logger

  func run() async throws {
    let name = await ingester.flow.name
    logger.info("ingesting MM2 state of flow \(name)")
    await cancelWhenGracefulShutdown { await ingester.run() }
  }
}

/// On graceful shutdown, before the HTTP server drains: marks the service not ready and
/// answers every waiting long-poll, so no request holds the shutdown up.
struct LongPollCloser: ServiceLifecycle.Service {
  let board: DiscoveryBoard
  let shutdown: ShutdownFlag

  func run() async throws {
    try? await gracefulShutdown()
    shutdown.set()
    board.close()
  }
}
