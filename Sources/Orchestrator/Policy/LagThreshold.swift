/// One flow against one `lagAbove` threshold of a policy: the key under which the instant
/// the flow first went over that threshold is kept (`PolicyInput.lagAboveSince`).
public struct LagThreshold: Sendable, Hashable {
  public let flow: String
  public let records: Int64

  public init(flow: String, records: Int64) {
    self.flow = flow
    self.records = records
  }
}
