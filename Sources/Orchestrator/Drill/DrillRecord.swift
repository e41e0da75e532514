import Foundation

/// How a drill ended, or that it runs.
public enum DrillStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
  case running
  /// Out and back, every measured bound held: RPO 0, RTO within bound, offsets exact.
  case passed
  /// Out and back, but a measured bound was broken (the report says which).
  case failed
  /// Stopped early and brought home (or left where the report says) because a switch failed,
  /// a bound was broken on the way out, or the orchestrator restarted.
  case aborted
  /// Never started: a gate was closed (the refusal says which).
  case refused
  public var description: String { rawValue }
}

/// Who started a drill.
public enum DrillTrigger: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
  case operator_ = "operator"
  case schedule
  public var description: String { rawValue }
}

/// Which way a drill's switch goes.
public enum DrillDirection: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
  /// Home to the target.
  case out
  /// The target back home.
  case back
  public var description: String { rawValue }
}

/// One switch of a drill, as measured.
public struct DrillLeg: Sendable, Codable, Equatable {
  public var direction: DrillDirection
  public var failoverId: Int64?
  public var fromCluster: String
  public var toCluster: String
  public var requestedAt: Date
  /// When discovery made the target active and writable (the failover's switch-discovery step).
  public var writableAt: Date?
  /// Request to writable on the target, in milliseconds.
  public var rtoMs: Int64?
  /// When the canary producer, following discovery, first had a record acknowledged by the target.
  public var firstProduceAt: Date?
  /// Discovery's change to that first produce, in milliseconds: how long a client takes to follow.
  public var clientFollowMs: Int64?
  /// Canary records read a second time after this switch.
  public var reread: Int = 0
  /// Of those, records the group had read before the switch: the translated positions were
  /// behind what it had consumed (the others were first read on the old cluster after the
  /// switch, by a consumer that had not followed discovery yet).
  public var rereadBeforeSwitch: Int = 0
  /// How the failover ended (`succeeded`, `rolled-back`, ...).
  public var failoverStatus: String?
  /// Every step of the failover with its duration.
  public var steps: [DrillStepTiming] = []

  public init(direction: DrillDirection, fromCluster: String, toCluster: String, requestedAt: Date) {
    self.direction = direction
    self.fromCluster = fromCluster
    self.toCluster = toCluster
    self.requestedAt = requestedAt
  }
}

/// A failover step's timing inside a drill.
public struct DrillStepTiming: Sendable, Codable, Equatable {
  public let name: String
  public let status: String
  public let durationMs: Int64?
  public let details: String

  public init(name: String, status: String, durationMs: Int64?, details: String) {
    self.name = name
    self.status = status
    self.durationMs = durationMs
    self.details = details
  }
}

/// What a drill measured.
public struct DrillReport: Sendable, Codable, Equatable {
  /// Canary records the producer had acknowledged.
  public var acknowledged: Int = 0
  /// Distinct acknowledged canary records the consumer read.
  public var consumed: Int = 0
  /// RPO measured: acknowledged canary records never read (a planned drill must lose none).
  public var lost: Int = 0
  /// Canary records read more than once, over both switches.
  public var reread: Int = 0
  /// Whether the canary group resumed on each cluster exactly where it had read to when the
  /// switch translated its positions: nothing it had read delivered again, nothing skipped.
  public var offsetsExact: Bool = false
  public var legs: [DrillLeg] = []
  /// The first lost records, each with the cluster that acknowledged it and when: where to look.
  public var lostRecords: [String] = []
  /// The first records read a second time, with the cluster they were read again on.
  public var rereadRecords: [String] = []
  /// Each cluster the canary consumer read, when it started there and from which positions.
  public var consumerStints: [String] = []
  /// The canary consumer's errors per cluster (could not start there, or a read failed): how
  /// often, and the last; absent when there were none (and in reports before this was kept).
  public var consumerFailures: [String]? = nil
  /// Why the drill failed or was aborted: each bound that was broken, each switch that failed.
  public var problems: [String] = []
  /// The canary's topic and group, for an operator who looks at them.
  public var topic: String = ""
  public var group: String = ""

  public init() {}

  public func leg(_ d: DrillDirection) -> DrillLeg? { legs.first { $0.direction == d } }
}

/// A drill as journaled.
public struct DrillRecord: Sendable, Codable, Equatable {
  public let id: Int64
  public let service: String
  public let fromCluster: String
  public let toCluster: String
  public var status: DrillStatus
  public let trigger: DrillTrigger
  public let requestedBy: String
  public let reason: String
  public let backAfterMs: Int64
  /// The closed gates of a refused drill.
  public var refusal: [String]
  public var report: DrillReport
  public let createdAt: Date
  public var finishedAt: Date?

  public init(
    id: Int64, service: String, fromCluster: String, toCluster: String, status: DrillStatus, trigger: DrillTrigger,
    requestedBy: String, reason: String, backAfterMs: Int64, refusal: [String], report: DrillReport, createdAt: Date,
    finishedAt: Date?
  ) {
    self.id = id
    self.service = service
    self.fromCluster = fromCluster
    self.toCluster = toCluster
    self.status = status
    self.trigger = trigger
    self.requestedBy = requestedBy
    self.reason = reason
    self.backAfterMs = backAfterMs
    self.refusal = refusal
    self.report = report
    self.createdAt = createdAt
    self.finishedAt = finishedAt
  }

  /// Whole-drill duration, when it finished.
  public var durationMs: Int64? { finishedAt.map { Int64(($0.timeIntervalSince(createdAt) * 1000).rounded()) } }
}
