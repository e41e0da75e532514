import Topology

/// The steps of a failover, in order. Every failover journals all of them; those that do
/// not apply to its kind are recorded as skipped with the reason.
public enum FailoverStepName: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
  /// The stored and wire value, also what messages print.
  public var description: String { rawValue }

  /// The failover and its fencing epoch are journaled (done when the failover is opened).
  case intent
  /// The source is marked not writable in discovery (epoch + 1): producers stop.
  case fenceSource = "fence-source"
  /// When the policy asks (`fence: {waitForLeases: true}`): wait until every client's
  /// discovery lease has run out since the fence, so none still writes to the source.
  case waitForLeases = "wait-leases"
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

  /// The steps that commit a change of the service state (epoch + 1) with their completion.
  public var changesEpoch: Bool { self == .fenceSource || self == .switchDiscovery }

  public init?(seq: Int) {
    guard (1...Self.allCases.count).contains(seq) else { return nil }
    self = Self.allCases[seq - 1]
  }
}
