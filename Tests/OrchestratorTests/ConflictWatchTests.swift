import Foundation
import Orchestrator
import Testing

@Suite("The active-active conflict report")
struct ConflictWatchTests {
  static func key(_ s: String) -> [UInt8] { Array(s.utf8) }

  @Test func aKeyWrittenInTwoRegionsWithinTheWindowIsAConflictAndOutsideItIsNot() {
    var w = ConflictWatch(service: "orders", window: .seconds(60), sample: 1, maxKeys: 1_000)
    let t: Int64 = 1_700_000_000_000
    w.observe(cluster: "east", topic: "orders", key: Self.key("k1"), timestamp: t)
    w.observe(cluster: "east", topic: "orders", key: Self.key("k1"), timestamp: t + 1_000)
    w.observe(cluster: "west", topic: "orders", key: Self.key("k2"), timestamp: t + 2_000)
    w.observe(cluster: "west", topic: "orders", key: nil, timestamp: t + 2_000)
    // The same key in another topic is another key.
    w.observe(cluster: "west", topic: "payments", key: Self.key("k1"), timestamp: t + 2_000)
    var r = w.report(at: Date(timeIntervalSince1970: Double(t + 3_000) / 1000))
    #expect(r.conflictingWrites == 0 && r.conflictingKeys == 0 && r.keysWatched == 3)
    w.observe(cluster: "west", topic: "orders", key: Self.key("k1"), timestamp: t + 30_000)
    // k2 again from east, but two minutes later: outside the window.
    w.observe(cluster: "east", topic: "orders", key: Self.key("k2"), timestamp: t + 122_001)
    r = w.report(at: Date(timeIntervalSince1970: Double(t + 31_000) / 1000))
    #expect(r.conflictingWrites == 1 && r.conflictingKeys == 1)
    #expect(r.recent.first?.key == "k1" && r.recent.first?.clusters == ["east", "west"])
    #expect(r.recent.first?.topic == "orders")
    // Once the window has passed, nothing conflicts now; the count since the start stays.
    r = w.report(at: Date(timeIntervalSince1970: Double(t + 200_000) / 1000))
    #expect(r.conflictingKeys == 0 && r.conflictingWrites == 1)
  }

  @Test func samplingWatchesTheSameKeysEverywhereAndMemoryIsBounded() {
    var w = ConflictWatch(service: "orders", window: .seconds(3600), sample: 8, maxKeys: 500)
    let t: Int64 = 1_700_000_000_000
    for i in 0..<20_000 {
      w.observe(cluster: "east", topic: "orders", key: Self.key("key-\(i)"), timestamp: t + Int64(i))
    }
    #expect(w.keysWatched <= 500)
    // West writes them newest first: the keys east wrote last are still held.
    for i in (0..<20_000).reversed() {
      w.observe(cluster: "west", topic: "orders", key: Self.key("key-\(i)"), timestamp: t + 40_000 - Int64(i))
    }
    let r = w.report(at: Date(timeIntervalSince1970: Double(t + 40_000) / 1000))
    // About one key in 8 is watched (every region samples the same ones, or none would
    // conflict), and at most 500 are held.
    #expect(r.keysWatched <= 500)
    #expect(r.conflictingWrites >= 100 && r.conflictingWrites <= 500, "\(r.conflictingWrites)")
    #expect(r.recent.count == 10)
  }

  @Test func keysThatAreNotTextAreShownInHex() {
    var w = ConflictWatch(service: "s", window: .seconds(60), sample: 1, maxKeys: 10)
    w.observe(cluster: "a", topic: "t", key: [0, 1, 0xFF], timestamp: 0)
    w.observe(cluster: "b", topic: "t", key: [0, 1, 0xFF], timestamp: 10)
    #expect(w.report(at: Date(timeIntervalSince1970: 0)).recent.first?.key == "0x0001ff")
  }
}
