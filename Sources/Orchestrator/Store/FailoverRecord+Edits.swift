import Foundation

extension FailoverRecord {
  /// A copy with some of the journal's fields changed: what a coordination backend that
  /// stores whole records (not rows) writes back.
  public func with(
    status: FailoverStatus? = nil, error: String?? = nil, finishedAt: Date?? = nil, toEpoch: Int64? = nil,
    steps: [FailoverStep]? = nil
  ) -> FailoverRecord {
    FailoverRecord(
      id: id, service: service, kind: kind, mode: mode, sourceCluster: sourceCluster, targetCluster: targetCluster,
      fromEpoch: fromEpoch, toEpoch: toEpoch ?? self.toEpoch, status: status ?? self.status,
      requestedBy: requestedBy, reason: reason, error: error ?? self.error, createdAt: createdAt,
      finishedAt: finishedAt ?? self.finishedAt, expectedLossRecords: expectedLossRecords, steps: steps ?? self.steps)
  }

  /// A copy with one step replaced by what `edit` makes of it.
  public func editing(_ step: FailoverStepName, _ edit: (FailoverStep) -> FailoverStep) -> FailoverRecord {
    with(steps: steps.map { $0.seq == step.seq ? edit($0) : $0 })
  }

  /// The record a new failover is journaled as.
  public init(_ f: NewFailover, id: Int64, fromEpoch: Int64, at now: Date = Date()) {
    self.init(
      id: id, service: f.service, kind: f.kind, mode: f.mode, sourceCluster: f.sourceCluster,
      targetCluster: f.targetCluster, fromEpoch: fromEpoch, toEpoch: fromEpoch + 1, status: f.status,
      requestedBy: f.requestedBy, reason: f.reason, error: nil, createdAt: now,
      finishedAt: f.status.isFinished ? now : nil, expectedLossRecords: f.expectedLossRecords, steps: f.steps)
  }
}

extension FailoverStep {
  /// Begun: running, one more attempt, started now.
  public func begun(at now: Date = Date()) -> FailoverStep {
    FailoverStep(name, status: .running, attempt: attempt + 1, startedAt: now, details: details)
  }

  /// Ended with `status` and what it did.
  public func finished(_ status: StepStatus, _ details: String, at now: Date = Date()) -> FailoverStep {
    FailoverStep(name, status: status, attempt: attempt, startedAt: startedAt, finishedAt: now, details: details)
  }

  /// Back to `status` with its history (an abort's skipped, a resume's pending).
  public func reset(to status: StepStatus) -> FailoverStep {
    FailoverStep(name, status: status, attempt: attempt, startedAt: startedAt, details: details)
  }
}

extension FailoverRecord {
  /// The journaled step of this name; nil in a journal written before the step existed.
  public func step(_ name: FailoverStepName) -> FailoverStep? { steps.first { $0.name == name } }
}
