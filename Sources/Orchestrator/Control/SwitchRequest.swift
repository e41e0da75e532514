import Topology

/// How a promote treats the cluster it leaves.
public enum SwitchMode: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
  /// The stored and wire value, also what messages print.
  public var description: String { rawValue }

  /// The source is expected to be healthy; the target must not be unreachable.
  case planned
  /// Proceed whatever the health of either side says: for a source that is gone.
  case forced
}

/// An operator's request to make `target` the active cluster of a service.
public struct PromoteRequest: Sendable, Equatable {
  public var target: String
  public var mode: SwitchMode
  public var dryRun: Bool
  public var reason: String

  public init(target: String, mode: SwitchMode = .planned, dryRun: Bool = false, reason: String = "") {
    self.target = target
    self.mode = mode
    self.dryRun = dryRun
    self.reason = reason
  }
}

/// What a promote or demote did, or with `dryRun` would do.
public struct SwitchOutcome: Sendable, Equatable, Codable {
  public let service: String
  public let action: FailoverKind
  public let dryRun: Bool
  public let fromCluster: String
  public let toCluster: String
  public let fromEpoch: Int64
  public let toEpoch: Int64
  /// The steps, in order, as they ran or would run.
  public let plan: [String]
  public var warnings: [String]
  /// The failover as journaled; nil for a dry run.
  public let failover: FailoverRecord?
  /// The service's state afterwards (unchanged for a dry run; at acceptance for a
  /// failover, which then runs on its own: follow it with `GET /v1/failovers/{id}`).
  public let state: ServiceState
  /// Records the standby was behind when the failover was decided: what an unplanned
  /// failover loses at most. Nil when unknown (no offset-syncs, source unreachable).
  public var expectedLossRecords: Int64? = nil
  /// With `dryRun`: every group and partition with its translated offset.
  public var translations: [Translation]? = nil
  /// Failback: records written to the failed cluster that never reached the standby
  /// before the failover, per partition (they are not on the standby's copies).
  public var unreplicated: [FlowLag.Partition]? = nil
  /// Failback: the tail the unplanned failover left on the primary, measured.
  public var divergence: Divergence? = nil
  /// Failback: per partition of the primary, which records the consumers see again and why.
  public var failbackNotes: [String]? = nil
}
