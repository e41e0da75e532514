/// `drill:` in a policy: when the services that name it are drilled without an operator,
/// and the bounds every drill of them (scheduled or asked for) must hold.
public struct DrillSettings: Sendable, Equatable {
  /// When a drill starts (cron, UTC); nil: only when an operator asks.
  public var schedule: CronSchedule?
  /// How long after a scheduled instant a drill may still start (a refused one is tried
  /// again every minute in this window; after it, the instant is missed and reported).
  public var window: Duration
  /// The longest a drill may take, out and back: past it, the service is brought home and
  /// the drill fails.
  public var maxDuration: Duration
  /// How long the service stays on the target before it goes back.
  public var backAfter: Duration
  /// Where to: nil for the service's first standby.
  public var target: String?
  /// The longest a switch may take from request to writable on the target.
  public var maxRTO: Duration
  /// The RPO budget a drill needs before it starts; nil: the policy's `guards.maxLagRecords`.
  public var maxLagRecords: Int64?
  /// How often the drill's canary producer writes a record.
  public var interval: Duration

  public init(
    schedule: CronSchedule? = nil, window: Duration = .seconds(3600), maxDuration: Duration = .seconds(900),
    backAfter: Duration = .seconds(300), target: String? = nil, maxRTO: Duration = .seconds(60),
    maxLagRecords: Int64? = nil, interval: Duration = .milliseconds(100)
  ) {
    self.schedule = schedule
    self.window = window
    self.maxDuration = maxDuration
    self.backAfter = backAfter
    self.target = target
    self.maxRTO = maxRTO
    self.maxLagRecords = maxLagRecords
    self.interval = interval
  }
}
