/// What an audit entry records. Stored and sent as its text (`promote`, `promote.finish`,
/// `recover`, `db.init`, ...), so the log reads the same in SQLite, etcd and the API.
public enum AuditAction: Sendable, Hashable, CustomStringConvertible, Codable {
  /// A switch asked for (accepted, refused or a dry run).
  case requested(FailoverKind)
  /// A failover's end, whatever its status.
  case finished(FailoverKind)
  /// A planned switch rolled back after its drain failed.
  case rolledBack(FailoverKind)
  case abort, ack, resume
  /// A recovery of the unreplicated tail asked for, and its end.
  case recover, recoverFinish
  case drill
  case dbInit, offsetsApply
  /// Written by another version of failoverctl: kept as it was, never dropped.
  case unrecognized(String)

  public var description: String {
    switch self {
    case .requested(let k): k.rawValue
    case .finished(let k): "\(k.rawValue).finish"
    case .rolledBack(let k): "\(k.rawValue).rollback"
    case .abort: "abort"
    case .ack: "ack"
    case .resume: "resume"
    case .recover: "recover"
    case .recoverFinish: "recover.finish"
    case .drill: "drill"
    case .dbInit: "db.init"
    case .offsetsApply: "offsets.apply"
    case .unrecognized(let text): text
    }
  }

  public init(parsing text: String) {
    let fixed: [AuditAction] = [
      .abort, .ack, .resume, .recover, .recoverFinish, .drill, .dbInit, .offsetsApply,
    ]
    if let known = fixed.first(where: { $0.description == text }) {
      self = known
      return
    }
    for kind in FailoverKind.allCases {
      for made in [AuditAction.requested(kind), .finished(kind), .rolledBack(kind)] where made.description == text {
        self = made
        return
      }
    }
    self = .unrecognized(text)
  }

  public init(from decoder: any Decoder) throws {
    self.init(parsing: try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
}
