/// What a policy's webhooks are called for.
public enum WebhookEvent: String, Sendable, Equatable, Codable, CaseIterable, CustomStringConvertible {
  /// The stored and wire value, also what messages print.
  public var description: String { rawValue }

  /// A failover awaits an operator's ack.
  case pending
  case started
  case succeeded
  case failed
  case aborted
  /// A planned switchover failed before switching clients and was undone.
  case rolledBack = "rolled-back"
  /// The cluster an unplanned failover left answers again and its unreplicated tail is
  /// measured (the body carries it): once per failover.
  case divergence
  /// A drill ended (passed, failed, aborted) or a scheduled one was refused: the body
  /// carries the drill instead of a failover.
  case drill

  /// The event a finished failover's status announces; nil while it is open.
  public init?(finished status: FailoverStatus) {
    switch status {
    case .succeeded: self = .succeeded
    case .failed: self = .failed
    case .aborted: self = .aborted
    case .rolledBack: self = .rolledBack
    case .pending, .running: return nil
    }
  }
}
