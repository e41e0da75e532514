/// How a lab mirror replicates, so that scenarios can make replication lag (and an
/// unplanned failover lose data) on purpose.
public struct MirrorSettings: Sendable, Equatable {
  /// MM2's `offset.lag.max`: a new offset-sync at least every this many records.
  public var offsetLagMax: Int64 = 100
  /// At most this many records per second per flow; nil: as fast as it can.
  public var maxRecordsPerSecond: Int? = nil
  /// A record is copied no sooner than this long after it was written.
  public var delay: Duration = .zero
  /// MM2's `emit.checkpoints.interval.seconds` (shorter here: a lab runs for seconds).
  public var checkpointInterval: Duration = .seconds(1)
  /// MM2's `emit.heartbeats.interval.seconds`.
  public var heartbeatInterval: Duration = .seconds(1)

  public init() {}
}
