import Logging
import Orchestrator
import ServiceLifecycle

/// A background service of `serve` that must not die silently. When it throws, or returns
/// while the server is not shutting down, the failure is logged, counted
/// (`kafka_failover_background_failures_total`), shown on the board (so in `/v1/status` and
/// `/readyz`), and the service is started again after a backoff: 1 s, doubling to 30 s,
/// back to 1 s once it has run a minute.
struct Supervised: ServiceLifecycle.Service {
  let name: String
  let service: any ServiceLifecycle.Service
  let board: BackgroundBoard
  let metrics: ServiceMetrics
  let clock: any Clock<Duration>
  let logger: Logger
  /// Failures to inject as it starts (`fail:NAME` failpoints).
  let injectedFailures: Int
  static let firstBackoff: Duration = .seconds(1)
  static let longestBackoff: Duration = .seconds(30)
  static let healthyAfter: Duration = .seconds(60)

  init(
    _ name: String, _ service: any ServiceLifecycle.Service, board: BackgroundBoard, metrics: ServiceMetrics,
    clock: any Clock<Duration> = ContinuousClock(), failpoints: Failpoints = Failpoints(), logger: Logger
  ) {
    self.name = name
    self.service = service
    self.board = board
    self.metrics = metrics
    self.clock = clock
    self.logger = logger
    injectedFailures = failpoints.failures(of: name)
  }

  func run() async throws {
    var backoff = Self.firstBackoff
    var injected = injectedFailures
    while !Task.isCancelled && !Task.isShuttingDownGracefully {
      board.running(name)
      let started = ContinuousClock.now
      let failure: String
      do {
        if injected > 0 {
          injected -= 1
          throw InjectedFailure(name: name)
        }
        try await service.run()
        if Task.isCancelled || Task.isShuttingDownGracefully { return }
        failure = "it returned while the server runs"
      } catch is CancellationError {
        return
      } catch {
        if Task.isShuttingDownGracefully { return }
        failure = "\(error)"
      }
      if ContinuousClock.now - started >= Self.healthyAfter { backoff = Self.firstBackoff }
      board.down(name, error: failure)
      metrics.backgroundFailure(name)
      logger.error("background service \(name) failed: \(failure); starting it again in \(backoff)")
      // A graceful shutdown during the backoff ends it: nothing is started again then.
      await cancelWhenGracefulShutdown { [clock, backoff] in try? await clock.sleep(for: backoff) }
      backoff = min(backoff * 2, Self.longestBackoff)
    }
  }
}

/// What a `fail:NAME` failpoint makes a background service throw.
struct InjectedFailure: Error, CustomStringConvertible {
  let name: String
  var description: String { "failpoint fail:\(name)" }
}
