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

  /// The event a finished failover's status announces; nil while it is open.
  public init?(finished status: FailoverStatus) {
    switch status {
    case .succeeded: self = .succeeded
    case .failed: self = .failed
    case .aborted: self = .aborted
    case .pending, .running: return nil
    }
  }
}
