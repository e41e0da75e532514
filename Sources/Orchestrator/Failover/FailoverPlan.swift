/// The steps of a failover, in order. Every failover journals all of them; those that do
/// not apply to its kind are recorded as skipped with the reason.
public enum FailoverStepName: String, Sendable, CaseIterable, Codable {
  /// The failover and its fencing epoch are journaled (done when the failover is opened).
  case intent
  /// The source is marked not writable in discovery (epoch + 1): producers stop.
  case fenceSource = "fence-source"
  /// Planned only: wait until the flow's lag is zero, within the drain bound.
  case drain
  /// Read the newest MM2 checkpoints and offset-syncs of the flow.
  case refreshCheckpoints = "refresh-checkpoints"
  /// Translate every covered group's committed offsets onto the target.
  case translateOffsets = "translate-offsets"
  /// Write them on the target (groups with live members there are skipped and reported).
  case writeOffsets = "write-offsets"
  /// The target becomes active in discovery (epoch + 1), atomically.
  case switchDiscovery = "switch-discovery"
  /// Pause (or reverse) the MM2 flow through the Kafka Connect REST API.
  case reconfigureReplication = "reconfigure-replication"
  /// The state is what the failover meant, and the target answers.
  case verify

  public var seq: Int { Self.allCases.firstIndex(of: self)! + 1 }

  public init?(seq: Int) {
    guard (1...Self.allCases.count).contains(seq) else { return nil }
    self = Self.allCases[seq - 1]
  }
}

/// How a failover runs: the parts of a policy's action it needs, with defaults for an
/// operator's promote when the service has no policy.
public struct FailoverSettings: Sendable, Equatable {
  public var fence = true
  public var drainTimeout: Duration = .seconds(60)
  /// nil: the flow's default (checkpoint, or identity for offset-preserving links).
  public var translation: TranslationMode?
  public var replication: Policy.Action.Replication = .pause
  /// Attempts of a failing step before the failover stops as failed.
  public var attempts = 3
  public var retryDelay: Duration = .seconds(1)

  public init() {}

  public init(_ action: Policy.Action) {
    fence = action.fence
    drainTimeout = action.drainTimeout
    translation = TranslationMode(rawValue: action.translation)
    replication = action.replication
  }
}
