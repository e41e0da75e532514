/// How an audited action ended: a kind, and what it says about it. Stored and sent as
/// `kind` or `kind: detail` (`ok`, `rejected: not the leader`, `passed`).
public struct AuditOutcome: Sendable, Hashable, CustomStringConvertible, Codable {
  public enum Kind: String, Sendable, CaseIterable {
    case ok, accepted, rejected, failed
    /// Some of what was asked was done (offsets written for some groups, not all).
    case partial
    case dryRun = "dry-run"
    /// A drill's end (`DrillStatus`).
    case passed, aborted, refused
    /// Written by another version of failoverctl: the whole text is the detail.
    case unrecognized
  }

  public let kind: Kind
  public let detail: String?

  public init(_ kind: Kind, _ detail: String? = nil) {
    self.kind = kind
    self.detail = detail?.isEmpty == true ? nil : detail
  }

  public static let ok = AuditOutcome(.ok)
  public static let accepted = AuditOutcome(.accepted)
  public static let dryRun = AuditOutcome(.dryRun)
  public static func rejected(_ why: String) -> AuditOutcome { AuditOutcome(.rejected, why) }
  public static func failed(_ why: String) -> AuditOutcome { AuditOutcome(.failed, why) }

  public var description: String {
    if kind == .unrecognized { return detail ?? "" }
    return detail.map { "\(kind.rawValue): \($0)" } ?? kind.rawValue
  }

  public init(parsing text: String) {
    let head = text.split(separator: ":", maxSplits: 1).first.map(String.init) ?? text
    guard let kind = Kind(rawValue: head), kind != .unrecognized else {
      self.init(.unrecognized, text)
      return
    }
    let rest = text.dropFirst(head.count).drop { $0 == ":" || $0 == " " }
    self.init(kind, rest.isEmpty ? nil : String(rest))
  }

  public init(from decoder: any Decoder) throws {
    self.init(parsing: try decoder.singleValueContainer().decode(String.self))
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(description)
  }
}
