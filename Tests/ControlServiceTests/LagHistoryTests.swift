import Foundation
import Testing

@testable import ControlService
@testable import Orchestrator

@Suite("Lag history: what the console's chart is drawn from")
struct LagHistoryTests {
  static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

  static func sample(_ seconds: Double, _ records: Int64) -> LagHistory.Sample {
    LagHistory.Sample(at: t0.addingTimeInterval(seconds), recordsBehind: records, checkpointAgeSeconds: nil)
  }

  @Test func oneSamplePerSlotKeepsTheNewestValue() {
    var h = LagHistory()
    // A 1 s probe interval for a minute: one sample per 5 s slot, each the slot's latest.
    for s in 0..<60 { h.record("east->west", Self.sample(Double(s), Int64(s))) }
    let kept = h.samples("east->west", seconds: 3600, now: Self.t0.addingTimeInterval(60))
    #expect(kept.count == 12)
    #expect(kept.map(\.recordsBehind) == stride(from: 4, to: 60, by: 5).map { Int64($0) })
  }

  @Test func samplesOlderThanTheWindowAreDropped() {
    var h = LagHistory()
    for s in stride(from: 0.0, through: 7200, by: 5) { h.record("east->west", Self.sample(s, 1)) }
    let now = Self.t0.addingTimeInterval(7200)
    let kept = h.samples("east->west", seconds: 3600, now: now)
    #expect(kept.count == 721)
    #expect(kept.first!.at == now.addingTimeInterval(-3600))
    #expect(h.samples("east->west", seconds: 60, now: now).count == 13)
    #expect(h.samples("west->east", seconds: 3600, now: now).isEmpty)
  }

  @Test func theLagBookRecordsOnlyMeasurementsThatKnewTheSource() async {
    let book = LagBook()
    await book.update("east->west", LagBookTests.measured(high: 150), at: Self.t0)
    await book.update("east->west", LagBookTests.measured(high: nil), at: Self.t0.addingTimeInterval(10))
    let kept = await book.history("east->west", seconds: 3600, now: Self.t0.addingTimeInterval(20))
    #expect(kept.map(\.recordsBehind) == [50])
  }
}
