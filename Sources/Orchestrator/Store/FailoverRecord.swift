import Foundation
import Topology

/// One change of a service's active cluster, as journaled: who asked, from where to
/// where, the epochs, and each step with its timing and outcome.
public struct FailoverRecord: Sendable, Equatable, Codable {
  public let id: Int64
  public let service: String
  public let kind: FailoverKind
  public let mode: SwitchMode
  public let sourceCluster: String
  public let targetCluster: String
  public let fromEpoch: Int64
  public let toEpoch: Int64
  public let status: FailoverStatus
  public let requestedBy: String
  public let reason: String
  public let error: String?
  public let createdAt: Date
  public let finishedAt: Date?
  /// Records the target was behind when the failover was decided (nil: unknown).
  public var expectedLossRecords: Int64? = nil
  public var steps: [FailoverStep]

  /// For coordination backends that keep the journal themselves.
  public init(
    id: Int64, service: String, kind: FailoverKind, mode: SwitchMode, sourceCluster: String, targetCluster: String,
    fromEpoch: Int64, toEpoch: Int64, status: FailoverStatus, requestedBy: String, reason: String, error: String?,
    createdAt: Date, finishedAt: Date?, expectedLossRecords: Int64? = nil, steps: [FailoverStep]
  ) {
    self.id = id
    self.service = service
    self.kind = kind
    self.mode = mode
    self.sourceCluster = sourceCluster
    self.targetCluster = targetCluster
    self.fromEpoch = fromEpoch
    self.toEpoch = toEpoch
    self.status = status
    self.requestedBy = requestedBy
    self.reason = reason
    self.error = error
    self.createdAt = createdAt
    self.finishedAt = finishedAt
    self.expectedLossRecords = expectedLossRecords
    self.steps = steps
  }
}

public struct FailoverStep: Sendable, Equatable, Codable {
  public let seq: Int
  public let name: FailoverStepName
  public let status: StepStatus
  public let attempt: Int
  public let startedAt: Date?
  public let finishedAt: Date?
  /// Milliseconds from start to end, when the step has both: what a timeline draws.
  public let durationMs: Int64?
  public let details: String

  public init(
    _ name: FailoverStepName, status: StepStatus, attempt: Int = 1, startedAt: Date? = nil, finishedAt: Date? = nil,
    details: String = ""
  ) {
    seq = name.seq
    self.name = name
    self.status = status
    self.attempt = attempt
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    durationMs = startedAt.flatMap { s in finishedAt.map { Int64(($0.timeIntervalSince(s) * 1000).rounded()) } }
    self.details = details
  }

  /// The sequence number comes from the name, not from what was stored: a journal written
  /// before a step was added to the plan numbers the later steps one lower.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      try c.decode(FailoverStepName.self, forKey: .name), status: try c.decode(StepStatus.self, forKey: .status),
      attempt: try c.decode(Int.self, forKey: .attempt),
      startedAt: try c.decodeIfPresent(Date.self, forKey: .startedAt),
      finishedAt: try c.decodeIfPresent(Date.self, forKey: .finishedAt),
      details: try c.decode(String.self, forKey: .details))
  }
}

/// A failover to journal, before it has an id.
public struct NewFailover: Sendable {
  public var service: String
  public var kind: FailoverKind
  public var mode: SwitchMode
  public var sourceCluster: String
  public var targetCluster: String
  public var status: FailoverStatus
  public var requestedBy: String
  public var reason: String
  public var expectedLossRecords: Int64? = nil
  public var steps: [FailoverStep]

  public init(
    service: String, kind: FailoverKind, mode: SwitchMode, sourceCluster: String, targetCluster: String,
    status: FailoverStatus,
    requestedBy: String, reason: String, steps: [FailoverStep]
  ) {
    self.service = service
    self.kind = kind
    self.mode = mode
    self.sourceCluster = sourceCluster
    self.targetCluster = targetCluster
    self.status = status
    self.requestedBy = requestedBy
    self.reason = reason
    self.steps = steps
  }
}
