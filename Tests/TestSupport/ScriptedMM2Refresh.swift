import Orchestrator
import Synchronization
import Topology

/// Stands in for reading MM2's topics: each catch-up runs `script` (which may write
/// offset-syncs and checkpoints into the test's store, or throw) and is counted.
public final class ScriptedMM2Refresh: MM2Refresh {
  public typealias Script = @Sendable (_ flow: Flow, _ call: Int) async throws -> Void
  private let count = Mutex(0)
  private let script: Script

  public init(_ script: @escaping Script = { _, _ in }) { self.script = script }

  public var calls: Int { count.withLock { $0 } }

  public func catchUp(_ flow: Flow, timeout: Duration, sourceTimeout: Duration?) async throws -> MM2Ingester.Stats {
    let call = count.withLock { n in
      n += 1
      return n
    }
    try await script(flow, call)
    return MM2Ingester.Stats()
  }
}
