/// Every record of the lab's traffic accounted for: produced (sent), acknowledged (the
/// broker confirmed with acks=all), consumed (at least once), re-delivered (consumed more
/// than once), lost (acknowledged and never consumed).
public actor TrafficLedger {
  private var produced = 0
  private var acknowledged: Set<String> = []
  private var consumed: [String: Int] = [:]

  public init() {}

  func sent(_ n: Int) { produced += n }
  func acknowledged(_ ids: [String]) { acknowledged.formUnion(ids) }
  func consumed(_ ids: [String]) { for id in ids { consumed[id, default: 0] += 1 } }

  public struct Totals: Sendable, Codable, Equatable {
    public let produced: Int
    public let acknowledged: Int
    public let consumed: Int
    public let redelivered: Int
    public let lost: Int
  }

  public var totals: Totals {
    Totals(
      produced: produced, acknowledged: acknowledged.count, consumed: consumed.count,
      redelivered: consumed.values.reduce(0) { $0 + max(0, $1 - 1) },
      lost: acknowledged.subtracting(consumed.keys).count)
  }
}
