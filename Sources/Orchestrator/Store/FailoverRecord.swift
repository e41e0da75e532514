import Foundation

/// One change of a service's active cluster, as journaled: who asked, from where to
/// where, the epochs, and each step with its timing and outcome.
public struct FailoverRecord: Sendable, Equatable, Codable {
  public let id: Int64
  public let service: String
  /// `promote`, `demote`, `failover` or `failback`.
  public let kind: String
  /// `planned` or `forced`.
  public let mode: String
  public let sourceCluster: String
  public let targetCluster: String
  public let fromEpoch: Int64
  public let toEpoch: Int64
  /// `pending`, `running`, `succeeded`, `failed` or `aborted`.
  public let status: String
  public let requestedBy: String
  public let reason: String
  public let error: String?
  public let createdAt: Date
  public let finishedAt: Date?
  /// Records the target was behind when the failover was decided (nil: unknown).
  public var expectedLossRecords: Int64? = nil
  public var steps: [FailoverStep]
}

public struct FailoverStep: Sendable, Equatable, Codable {
  public let seq: Int
  public let name: String
  /// `pending`, `running`, `done`, `failed` or `skipped`.
  public let status: String
  public let attempt: Int
  public let startedAt: Date?
  public let finishedAt: Date?
  public let details: String

  public init(
    seq: Int, name: String, status: String, attempt: Int = 1, startedAt: Date? = nil, finishedAt: Date? = nil,
    details: String = ""
  ) {
    self.seq = seq
    self.name = name
    self.status = status
    self.attempt = attempt
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.details = details
  }
}

/// A failover to journal, before it has an id.
public struct NewFailover: Sendable {
  public var service: String
  public var kind: String
  public var mode: String
  public var sourceCluster: String
  public var targetCluster: String
  public var status: String
  public var requestedBy: String
  public var reason: String
  public var expectedLossRecords: Int64? = nil
  public var steps: [FailoverStep]

  public init(
    service: String, kind: String, mode: String, sourceCluster: String, targetCluster: String, status: String,
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
