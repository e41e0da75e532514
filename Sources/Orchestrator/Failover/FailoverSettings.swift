import Topology

/// How a failover runs: the parts of a policy's action it needs, with defaults for an
/// operator's promote when the service has no policy.
public struct FailoverSettings: Sendable, Equatable {
  public var fence = true
  /// Wait out the service's discovery lease after the fence, before anything takes writes.
  public var waitForLeases = false
  public var drainTimeout: Duration = .seconds(60)
  /// nil: the flow's default (checkpoint, or identity for offset-preserving links).
  public var translation: TranslationMode?
  public var replication: Policy.Action.Replication = .pause
  /// Unplanned failovers only: a planned one that cannot write offsets rolls back.
  public var onOffsetWriteFailure: Policy.Action.OffsetWriteFailure = .continue
  /// Attempts of a failing step before the failover stops as failed.
  public var attempts = 3
  public var retryDelay: Duration = .seconds(1)

  public init() {}

  public init(_ action: Policy.Action) {
    fence = action.fence
    waitForLeases = action.waitForLeases
    drainTimeout = action.drainTimeout
    translation = TranslationMode(rawValue: action.translation)
    replication = action.replication
    onOffsetWriteFailure = action.onOffsetWriteFailure
  }
}
