import HealthProbes
import Topology

/// A failover policy (`policies/NAME.yaml`): when to fail a service over (trigger), when
/// not to although the trigger fired (guards), and how (action).
public struct Policy: Sendable, Equatable {
  public var name: String
  public var description: String?
  public var trigger: Trigger
  public var guards: Guards
  public var action: Action
  /// What becomes of the tail an unplanned failover leaves on the old primary.
  public var recovery = Recovery()
  /// DR drills of the services that name the policy: schedule and bounds.
  public var drill = DrillSettings()

  public init(
    name: String, description: String? = nil, trigger: Trigger, guards: Guards, action: Action,
    recovery: Recovery = Recovery(), drill: DrillSettings = DrillSettings()
  ) {
    self.drill = drill
    self.name = name
    self.description = description
    self.trigger = trigger
    self.guards = guards
    self.action = action
    self.recovery = recovery
  }

  /// `recovery:` — the tail of an unplanned failover, once the old primary answers again.
  public struct Recovery: Sendable, Equatable {
    /// Copy it without an operator, when the old primary answers and no failover of the
    /// service runs.
    public var auto = false
    /// Where it goes: the service's own topic on its active cluster, or the quarantine topic.
    public var into: RecoveryTarget = .active
    /// The quarantine topic of a topic (`{topic}` is replaced by the topic's name).
    public var quarantineTopic = "{topic}.recovered"

    public init(auto: Bool = false, into: RecoveryTarget = .active, quarantineTopic: String = "{topic}.recovered") {
      self.auto = auto
      self.into = into
      self.quarantineTopic = quarantineTopic
    }
  }

  /// Conditions over the health and lag model of the service's active cluster.
  public struct Trigger: Sendable, Equatable {
    public enum Combine: String, Sendable, Equatable, CaseIterable {
      /// Fires when any condition holds.
      case any
      /// Fires when every condition holds.
      case all
    }
    public var combine: Combine
    public var conditions: [Condition]
    /// Vantage points that must judge the cluster unreachable (overrides the topology's
    /// `probes.quorum` for this policy when set).
    public var quorum: Int?
    /// Whether vantage points inside the active cluster's own region count toward its
    /// death (default: they do not).
    public var sameRegionVotes: SameRegionVotes

    public init(
      combine: Combine = .any, conditions: [Condition], quorum: Int? = nil, sameRegionVotes: SameRegionVotes = .ignore
    ) {
      self.combine = combine
      self.conditions = conditions
      self.quorum = quorum
      self.sameRegionVotes = sameRegionVotes
    }
  }

  public enum Condition: Sendable, Equatable {
    /// The active cluster judged unreachable (by the quorum) for at least `for`.
    case clusterUnreachable(for: Duration)
    /// A probe of `kind` on the active cluster degraded or worse for at least `for`.
    case probeFailing(kind: ProbeKind, for: Duration)
    /// Replication into the standby further behind than `records` for at least `for`.
    case lagAbove(records: Int64, for: Duration)
  }

  public struct Guards: Sendable, Equatable {
    /// RPO budget: no automatic failover when the flow to the target is further behind.
    public var maxLagRecords: Int64?
    /// No automatic failover when the target's newest MM2 checkpoint is older.
    public var maxCheckpointAge: Duration?
    /// The target must be judged healthy (not degraded, not unreachable).
    public var healthyTarget: Bool
    /// No automatic failover within this long of the last one of the service.
    public var cooldown: Duration
    /// At most `count` automatic failovers of the service per `window`.
    public var maxFailovers: Int
    public var window: Duration
    public var blackouts: [Blackout]
    public var approval: Approval

    public init(
      maxLagRecords: Int64? = nil, maxCheckpointAge: Duration? = nil, healthyTarget: Bool = true,
      cooldown: Duration = .seconds(600), maxFailovers: Int = 3, window: Duration = .seconds(3600),
      blackouts: [Blackout] = [], approval: Approval = .automatic
    ) {
      self.maxLagRecords = maxLagRecords
      self.maxCheckpointAge = maxCheckpointAge
      self.healthyTarget = healthyTarget
      self.cooldown = cooldown
      self.maxFailovers = maxFailovers
      self.window = window
      self.blackouts = blackouts
      self.approval = approval
    }
  }

  public enum Approval: String, Sendable, Equatable, CaseIterable {
    /// The orchestrator fails over on its own.
    case automatic
    /// A pending failover is opened; an operator acknowledges it (`failoverctl ack`).
    case manual
  }

  /// A weekly window (UTC) in which no automatic failover starts.
  public struct Blackout: Sendable, Equatable {
    /// 1 = Monday ... 7 = Sunday; empty: every day.
    public var days: [Int]
    /// Minutes after midnight UTC; `to` may be smaller than `from` (crosses midnight).
    public var from: Int
    public var to: Int

    public init(days: [Int], from: Int, to: Int) {
      self.days = days
      self.from = from
      self.to = to
    }
  }

  public struct Action: Sendable, Equatable {
    public enum TargetChoice: Sendable, Equatable {
      /// The healthy standby with the least replication lag; ties go to the order of
      /// `standbys` in the topology.
      case bestStandby
      /// The first healthy one of these clusters.
      case preferred([String])
    }
    public enum Replication: String, Sendable, Equatable, CaseIterable {
      /// Leave MM2's connectors as they are.
      case none
      /// Pause the flow from the failed cluster (Connect REST API).
      case pause
      /// Pause it and resume the flow the other way, for a later failback.
      case reverse
    }
    public var target: TargetChoice
    /// `checkpoint`, `offset-sync`, `timestamp`, `identity` or `auto` (from the flow's
    /// replication policy).
    public var translation: String
    /// Fence the source (mark it not writable in discovery first) when it is reachable.
    public var fence: Bool
    /// After the fence, wait out the service's discovery lease before the target takes
    /// writes: no lease-honouring client can still be writing to the source then.
    public var waitForLeases: Bool
    /// Planned switchovers wait at most this long for the flow's lag to reach zero.
    public var drainTimeout: Duration
    public var replication: Replication
    public var webhooks: [Webhook]
    /// What an unplanned failover does when some offsets cannot be written on the target.
    public var onOffsetWriteFailure: OffsetWriteFailure = .continue

    /// An unplanned failover's answer to offsets it could not write.
    public enum OffsetWriteFailure: String, Sendable, Equatable, CaseIterable {
      /// Switch anyway: the service gets a cluster its clients can reach; the group-partitions
      /// not written are listed, and their consumers start from their `auto.offset.reset`.
      case `continue`
      /// Stop with the service fenced, for an operator to resume or abort.
      case halt
    }

    public init(
      target: TargetChoice = .bestStandby, translation: String = "auto", fence: Bool = true,
      waitForLeases: Bool = false, drainTimeout: Duration = .seconds(60), replication: Replication = .pause,
      webhooks: [Webhook] = []
    ) {
      self.target = target
      self.translation = translation
      self.fence = fence
      self.waitForLeases = waitForLeases
      self.drainTimeout = drainTimeout
      self.replication = replication
      self.webhooks = webhooks
    }
  }

  public struct Webhook: Sendable, Equatable {
    public var url: String
    /// `pending`, `started`, `succeeded`, `failed`, `aborted`; empty: all.
    public var events: [WebhookEvent]

    public init(url: String, events: [WebhookEvent] = []) {
      self.url = url
      self.events = events
    }
  }
}
