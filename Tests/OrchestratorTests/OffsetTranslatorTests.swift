import MM2
import Orchestrator
import Testing
import Topology

/// A deterministic generator so that a failing seed can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A replicated partition: which upstream records reached the target and where, and the
/// offset-syncs MM2 would have emitted along the way.
struct SimulatedReplication {
  var downstreamOf: [Int64: Int64] = [:]  // upstream offset -> downstream offset, replicated records only
  var syncs: [OffsetSyncHistory.Sync] = []
  let upstreamCount: Int64

  init(records: Int64, rng: inout SplitMix64) {
    upstreamCount = records
    var next: Int64 = Int64.random(in: 0...50, using: &rng)  // the target partition may not start at 0
    let dropRate = Double.random(in: 0...0.3, using: &rng)
    let syncRate = Double.random(in: 0.01...0.3, using: &rng)
    for u in 0..<records {
      guard Double.random(in: 0..<1, using: &rng) >= dropRate else { continue }  // filtered or compacted away
      downstreamOf[u] = next
      if syncs.isEmpty || Double.random(in: 0..<1, using: &rng) < syncRate {
        syncs.append(.init(upstream: u, downstream: next))
      }
      next += 1
    }
  }

  /// The downstream offset of the first replicated record at or after `upstream`.
  func firstDownstream(atOrAfter upstream: Int64) -> Int64? {
    (upstream..<upstreamCount).lazy.compactMap { downstreamOf[$0] }.first
  }

  /// Replicated records before `upstream` that sit at or after `downstream`: re-delivered.
  func redelivered(before upstream: Int64, from downstream: Int64) -> Int64 {
    Int64(downstreamOf.filter { $0.key < upstream && $0.value >= downstream }.count)
  }
}

@Suite("Offset translation")
struct OffsetTranslatorTests {
  @Test(arguments: 0..<200) func neverSkipsAnUnconsumedRecordAndTheBoundHolds(seed: Int) {
    var rng = SplitMix64(state: UInt64(seed))
    let replication = SimulatedReplication(records: Int64.random(in: 1...2_000, using: &rng), rng: &rng)
    var history = OffsetSyncHistory()
    for s in replication.syncs { history.add(s) }
    #expect(history.syncs.count <= 65)
    for _ in 0..<50 {
      let committed = Int64.random(in: 0...replication.upstreamCount, using: &rng)
      let r = OffsetTranslator.viaOffsetSync(committed: committed, history: history)
      guard let translated = r.offset else {
        // Only allowed when no retained sync is at or below the committed offset.
        #expect(history.floor(committed) == nil, "seed \(seed): no translation for \(committed): \(r.error ?? "")")
        continue
      }
      if let first = replication.firstDownstream(atOrAfter: committed) {
        #expect(translated <= first, "seed \(seed): committed \(committed) -> \(translated) skips record at \(first)")
      }
      let bound = try! #require(r.redeliveryBound)
      #expect(
        replication.redelivered(before: committed, from: translated) <= bound,
        "seed \(seed): committed \(committed) -> \(translated) re-delivers more than \(bound)")
    }
  }

  @Test func exactSyncTranslatesExactlyAndOtherwiseOnePastTheSync() {
    var h = OffsetSyncHistory()
    h.add(.init(upstream: 100, downstream: 40))
    h.add(.init(upstream: 200, downstream: 130))
    #expect(OffsetTranslator.viaOffsetSync(committed: 200, history: h).offset == 130)
    #expect(OffsetTranslator.viaOffsetSync(committed: 200, history: h).redeliveryBound == 0)
    let mid = OffsetTranslator.viaOffsetSync(committed: 150, history: h)
    #expect(mid.offset == 41)
    #expect(mid.redeliveryBound == 49)
    #expect(mid.basis == "offset-sync 100->40")
    let tooOld = OffsetTranslator.viaOffsetSync(committed: 99, history: h)
    #expect(tooOld.offset == nil)
    #expect(tooOld.error?.contains("no offset-sync at or below upstream offset 99") == true)
  }

  @Test func historyKeepsTheOldestSyncAndStaysSparse() {
    var h = OffsetSyncHistory()
    for u in stride(from: Int64(0), through: 1_000_000, by: 100) { h.add(.init(upstream: u, downstream: u / 2)) }
    #expect(h.syncs.first?.upstream == 0)
    #expect(h.syncs.last?.upstream == 1_000_000)
    #expect(h.syncs.count <= 22)
    // Spacing grows with age: every gap is at most the distance of its older end from the newest.
    for (older, newer) in zip(h.syncs, h.syncs.dropFirst()) {
      #expect(newer.upstream - older.upstream <= 1_000_000 - older.upstream)
    }
  }

  @Test func rewindResetsTheHistory() {
    var h = OffsetSyncHistory()
    h.add(.init(upstream: 500, downstream: 500))
    h.add(.init(upstream: 600, downstream: 600))
    let removed = h.add(.init(upstream: 10, downstream: 700))
    #expect(Set(removed) == [500, 600])
    #expect(h.syncs == [.init(upstream: 10, downstream: 700)])
  }

  @Test func checkpointModeFallsBackWhenTheGroupWasRewoundUpstream() {
    var h = OffsetSyncHistory()
    h.add(.init(upstream: 0, downstream: 0))
    h.add(.init(upstream: 1000, downstream: 900))
    let cp = StoredCheckpoint(
      checkpoint: Checkpoint(group: "g", topic: "t", partition: 0, upstreamOffset: 1000, downstreamOffset: 900),
      recordTimestamp: 0)
    // Committed past the checkpoint: the live offset through MM2's own sync rule (the next
    // checkpoint's answer), one record later than the stale checkpoint.
    let ahead = OffsetTranslator.viaCheckpoint(cp, liveCommitted: 1010, history: h)
    #expect(ahead.offset == 901)
    #expect(ahead.redeliveryBound == 9)
    #expect(ahead.basis.hasPrefix("live offset 1010, past checkpoint 1000->900; offset-sync 1000->900"))
    // Exactly at a newer sync: exact.
    h.add(.init(upstream: 1010, downstream: 910))
    let atSync = OffsetTranslator.viaCheckpoint(cp, liveCommitted: 1010, history: h)
    #expect(atSync.offset == 910 && atSync.redeliveryBound == 0)
    let stale = OffsetTranslator.viaCheckpoint(cp, liveCommitted: 1000, history: h)
    #expect(stale.offset == 900)
    let rewound = OffsetTranslator.viaCheckpoint(cp, liveCommitted: 5, history: h)
    #expect(rewound.offset == 1)
    #expect(rewound.basis.hasPrefix("group rewound upstream to 5"))
    let sourceGone = OffsetTranslator.viaCheckpoint(cp, liveCommitted: nil, history: h)
    #expect(sourceGone.offset == 900)
    #expect(sourceGone.redeliveryBound == nil)
  }
}
