import Topology

/// The offset-syncs kept for one partition: sparse, exponentially spaced back from the
/// newest, like MM2's `OffsetSyncStore`, so that old consumer offsets stay translatable
/// while the history stays small (at most 65 syncs for any 64-bit offset range).
///
/// Rule: the newest sync is always kept; of the older ones, one per distance bucket
/// `[2^k, 2^(k+1))` from the newest upstream offset, the oldest in its bucket. Keeping the
/// oldest keeps the reach back to the first sync ever seen; the spacing bounds the
/// re-delivery of a translation to roughly the age (in records) of the offset translated.
/// A sync whose upstream offset goes backwards (topic recreated, MM2 reset) invalidates
/// the history, which then restarts from it.
public struct OffsetSyncHistory: Sendable, Equatable {
  public struct Sync: Sendable, Hashable, Codable {
    public let upstream: Int64
    public let downstream: Int64
    public init(upstream: Int64, downstream: Int64) {
      self.upstream = upstream
      self.downstream = downstream
    }
  }

  /// Ascending by upstream offset.
  public private(set) var syncs: [Sync]

  public init(syncs: [Sync] = []) { self.syncs = syncs.sorted { $0.upstream < $1.upstream } }

  public var newest: Sync? { syncs.last }

  /// Adds a sync; returns the upstream offsets of the syncs it displaced.
  @discardableResult
  public mutating func add(_ sync: Sync) -> [Int64] {
    if let newest, sync.upstream < newest.upstream || (sync.upstream == newest.upstream && sync != newest) {
      let removed = syncs.map(\.upstream).filter { $0 != sync.upstream }
      syncs = [sync]
      return removed
    }
    if newest == sync { return [] }
    syncs.append(sync)
    var kept: [Sync] = [sync]
    var removed: [Int64] = []
    var lastBucket = -1
    // Oldest first, so the first sync seen in a bucket is the oldest one in it.
    for s in syncs.dropLast() {
      let bucket = Self.bucket(sync.upstream - s.upstream)
      if bucket == lastBucket {
        removed.append(s.upstream)
      } else {
        kept.append(s)
        lastBucket = bucket
      }
    }
    syncs = kept.sorted { $0.upstream < $1.upstream }
    return removed
  }

  private static func bucket(_ distance: Int64) -> Int {
    distance <= 0 ? -1 : 63 - distance.leadingZeroBitCount
  }

  /// The newest sync at or below `upstreamOffset`, the basis of a translation.
  public func floor(_ upstreamOffset: Int64) -> Sync? {
    var lo = 0
    var hi = syncs.count - 1
    var found: Sync? = nil
    while lo <= hi {
      let mid = (lo + hi) / 2
      if syncs[mid].upstream <= upstreamOffset {
        found = syncs[mid]
        lo = mid + 1
      } else {
        hi = mid - 1
      }
    }
    return found
  }
}
