/// A probe's identity: how and what it probes (`kafka/east`), a key of the health board
/// and of a policy's per-kind judgements.
public struct HealthKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  public let kind: ProbeKind
  public let subject: String

  public init(kind: ProbeKind, subject: String) {
    self.kind = kind
    self.subject = subject
  }

  public var description: String { "\(kind)/\(subject)" }
  public static func < (a: HealthKey, b: HealthKey) -> Bool { (a.kind, a.subject) < (b.kind, b.subject) }
}
