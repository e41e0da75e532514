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

  /// The records acknowledged so far, to count later which of them were never consumed.
  public var acknowledgedSoFar: Set<String> { acknowledged }

  /// Of `records`, those no consumer has read (yet).
  public func unconsumed(among records: Set<String>) -> Int { records.subtracting(consumed.keys).count }

  /// Of `records`, the ones no consumer has read (yet), by id.
  public func unconsumedRecords(among records: Set<String>) -> Set<String> { records.subtracting(consumed.keys) }

  /// Of `records`, how many were read once or more, and how many more than once.
  public func reads(of records: Set<String>) -> (read: Int, twice: Int) {
    let counts = records.compactMap { consumed[$0] }
    return (counts.count, counts.filter { $0 > 1 }.count)
  }

  public var totals: Totals {
    Totals(
      produced: produced, acknowledged: acknowledged.count, consumed: consumed.count,
      redelivered: consumed.values.reduce(0) { $0 + max(0, $1 - 1) },
      lost: acknowledged.subtracting(consumed.keys).count)
  }
}
