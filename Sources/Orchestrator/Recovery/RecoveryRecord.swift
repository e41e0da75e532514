import Foundation

/// Where a recovery copies the tail: the service's own topic on its active cluster (its
/// consumers get the records), or a quarantine topic beside it (an application looks first).
public enum RecoveryTarget: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
  case active
  case quarantine
  public var description: String { rawValue }
}

public enum RecoveryStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
  case running
  case succeeded
  case failed
  public var description: String { rawValue }
}

/// One partition of a recovery: the tail `[tailStart, tailEnd)` of `topic` on the old
/// primary, copied to `destTopic`/`destPartition` on the active cluster from `next` on.
public struct RecoveryPartition: Sendable, Codable, Equatable {
  public let topic: String
  public let partition: Int32
  public let destTopic: String
  public let destPartition: Int32
  public let tailStart: Int64
  public let tailEnd: Int64
  /// The first source offset not known to be copied.
  public var next: Int64
  public var copied: Int64
  /// The destination's end before the batch in flight: on a resume, the records written
  /// since are read back for their origin headers, so none is copied twice.
  public var destMark: Int64?
  /// Destination offsets of the first and last record copied.
  public var destFirst: Int64?
  public var destLast: Int64?
  /// The copy's end on the active cluster when the tail was measured exactly (its last
  /// record is the copy of `tailStart - 1`); nil when the start was estimated.
  public var copyEnd: Int64?

  public init(
    topic: String, partition: Int32, destTopic: String, destPartition: Int32, tailStart: Int64, tailEnd: Int64,
    next: Int64? = nil, copied: Int64 = 0, destMark: Int64? = nil, destFirst: Int64? = nil, destLast: Int64? = nil,
    copyEnd: Int64? = nil
  ) {
    self.copyEnd = copyEnd
    self.topic = topic
    self.partition = partition
    self.destTopic = destTopic
    self.destPartition = destPartition
    self.tailStart = tailStart
    self.tailEnd = tailEnd
    self.next = next ?? tailStart
    self.copied = copied
    self.destMark = destMark
    self.destFirst = destFirst
    self.destLast = destLast
  }

  public var isDone: Bool { next >= tailEnd }
}

/// A journaled recovery of the tail an unplanned failover left on the old primary.
public struct RecoveryRecord: Sendable, Codable, Equatable {
  public let id: Int64
  public let service: String
  /// The unplanned failover whose tail this is.
  public let failoverId: Int64
  public let sourceCluster: String
  public let targetCluster: String
  public let into: RecoveryTarget
  public let status: RecoveryStatus
  public let requestedBy: String
  public let reason: String
  public let error: String?
  /// What became of the flow from the old primary: its MirrorSourceConnector told to go on
  /// after the recovered tail, or why it could not be (docs/runbooks.md).
  public var replication: String? = nil
  public let createdAt: Date
  public let finishedAt: Date?
  public let partitions: [RecoveryPartition]

  public init(
    id: Int64, service: String, failoverId: Int64, sourceCluster: String, targetCluster: String,
    into: RecoveryTarget, status: RecoveryStatus, requestedBy: String, reason: String, error: String?,
    createdAt: Date, finishedAt: Date?, partitions: [RecoveryPartition]
  ) {
    self.id = id
    self.service = service
    self.failoverId = failoverId
    self.sourceCluster = sourceCluster
    self.targetCluster = targetCluster
    self.into = into
    self.status = status
    self.requestedBy = requestedBy
    self.reason = reason
    self.error = error
    self.createdAt = createdAt
    self.finishedAt = finishedAt
    self.partitions = partitions
  }

  public var copied: Int64 { partitions.map(\.copied).reduce(0, +) }
  public var records: Int64 { partitions.map { max(0, $0.tailEnd - $0.tailStart) }.reduce(0, +) }
}
