import Foundation
import Testing

@testable import ControlService
@testable import Orchestrator

@Suite("Lag book: the last measured lag and the expected-loss bound")
struct LagBookTests {
  /// One partition whose source holds `high` records, `synced` of them covered by an offset-sync.
  static func measured(high: Int64?, synced: Int64 = 100) -> FlowLag {
    let behind = high.map { max(0, $0 - synced) }
    return FlowLag(
      flow: "east->west",
      partitions: [
        .init(
          topic: "orders", partition: 0, sourceHighWatermark: high, newestSyncUpstream: synced - 1,
          recordsBehind: behind)
      ],
      recordsBehind: behind, checkpointAgeSeconds: 1, heartbeatAgeSeconds: 1, poisonRecords: 0)
  }

  @Test func theBoundAddsWhatTheSourceMayHaveTakenSinceTheLastMeasurement() async {
    let book = LagBook()
    let t0 = Date(timeIntervalSince1970: 1_000_000)
    #expect(await book.expectedLoss("east->west") == nil)
    await book.update("east->west", Self.measured(high: 150), at: t0)
    // One measurement: no rate yet, the lag itself.
    #expect(await book.expectedLoss("east->west", now: t0.addingTimeInterval(5)) == 50)
    // 400 records in 2 s: 200 records/s.
    await book.update("east->west", Self.measured(high: 550), at: t0.addingTimeInterval(2))
    #expect(await book.records("east->west") == 450)
    #expect(await book.expectedLoss("east->west", now: t0.addingTimeInterval(5)) == 450 + 600)
    // A source that did not answer leaves the last real measurement, and its time, standing.
    await book.update("east->west", Self.measured(high: nil), at: t0.addingTimeInterval(3))
    #expect(await book.records("east->west") == 450)
    #expect(await book.expectedLoss("east->west", now: t0.addingTimeInterval(5)) == 450 + 600)
    #expect(await book.highWatermarks("east->west")[.init("orders", 0)] == 550)
  }

  /// What the store kept stands in only while nothing live is known: at the time it was
  /// measured, and never over a live measurement.
  @Test func aLastKnownMeasurementStandsInOnlyForWhatIsUnknown() async {
    let book = LagBook()
    let t0 = Date(timeIntervalSince1970: 1_000_000)
    var stored = Self.measured(high: 130)
    stored.source = .lastKnown
    stored.sourceMeasuredAt = t0
    #expect(await book.lacksMeasurement("east->west"))
    await book.standIn("east->west", stored, at: t0.addingTimeInterval(60))
    #expect(await book.records("east->west") == 30)
    #expect(await book.snapshot.1["east->west"] == 1)
    #expect(!(await book.lacksMeasurement("east->west")))
    // With nothing of the rate, the bound is the stored lag itself.
    #expect(await book.expectedLoss("east->west", now: t0.addingTimeInterval(90)) == 30)
    // A live measurement replaces it; a later stand-in does not replace a live one.
    await book.update("east->west", Self.measured(high: 150), at: t0.addingTimeInterval(70))
    await book.standIn("east->west", stored, at: t0.addingTimeInterval(80))
    #expect(await book.records("east->west") == 50)
  }

  @Test func theFastestRecentRateCounts() async {
    let book = LagBook()
    let t0 = Date(timeIntervalSince1970: 1_000_000)
    await book.update("f", Self.measured(high: 100), at: t0)
    await book.update("f", Self.measured(high: 1100), at: t0.addingTimeInterval(1))  // 1000/s
    await book.update("f", Self.measured(high: 1200), at: t0.addingTimeInterval(2))  // 100/s
    #expect(await book.expectedLoss("f", now: t0.addingTimeInterval(3)) == 1100 + 1000)
  }
}
