/// What moves as one in a failover and what one discovery document describes: a configured
/// service, or one client region's lane of an active-active service. Written `orders@east`
/// only on the wire (journal keys, URLs, the API's `service` fields) and parsed once where
/// such a name comes in (`init(parsing:)`); inside, the service and region stay apart.
public struct LaneID: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The configured service's name.
  public let service: String
  /// The client region of an active-active lane; nil for a configured service.
  public let region: String?

  /// Never part of a configured name (the topology's loader refuses it there).
  public static let separator: Character = "@"

  public init(service: String, region: String? = nil) {
    self.service = service
    self.region = region
  }

  /// `orders@east` → orders, east; `orders` → orders, no region.
  public init(parsing wire: String) {
    guard let at = wire.firstIndex(of: Self.separator) else {
      self.init(service: wire)
      return
    }
    self.init(service: String(wire[..<at]), region: String(wire[wire.index(after: at)...]))
  }

  public var description: String { region.map { "\(service)\(Self.separator)\($0)" } ?? service }

  public static func < (a: LaneID, b: LaneID) -> Bool { (a.service, a.region ?? "") < (b.service, b.region ?? "") }
}

/// A literal (`"orders@east"`) is a lane written as on the wire: for tests and fixed names.
extension LaneID: ExpressibleByStringLiteral {
  public init(stringLiteral value: String) { self.init(parsing: value) }
}
