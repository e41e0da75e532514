import Topology

/// Translation rules, as current MirrorMaker 2 applies them (`OffsetSyncStore.translateDownstream`):
/// a group is never moved past a record it has not consumed. Re-delivery is allowed,
/// loss is not; every result says how much re-delivery it may cause.
public enum OffsetTranslator {
  public struct Result: Sendable, Equatable {
    public let offset: Int64?
    let basisRecord: TranslationBasis
    public let redeliveryBound: Int64?
    public let error: String?

    public var basis: String { basisRecord.description }

    init(offset: Int64?, basis: String, redeliveryBound: Int64?, error: String?) {
      self.init(offset: offset, basis: TranslationBasis(basis), redeliveryBound: redeliveryBound, error: error)
    }

    init(offset: Int64?, basis: TranslationBasis, redeliveryBound: Int64?, error: String?) {
      self.offset = offset
      self.basisRecord = basis
      self.redeliveryBound = redeliveryBound
      self.error = error
    }

    static func failed(_ why: String) -> Result { Result(offset: nil, basis: "none", redeliveryBound: nil, error: why) }
  }

  /// Translates `committed` through the newest sync at or below it. A sync at exactly the
  /// committed offset maps exactly; otherwise the group may go only one record past the
  /// sync's downstream offset, since how many of the upstream records after the sync were
  /// replicated (or filtered) is unknown.
  public static func viaOffsetSync(committed: Int64, history: OffsetSyncHistory?) -> Result {
    guard let history, !history.syncs.isEmpty else {
      return .failed("no offset-sync known for this partition")
    }
    guard let sync = history.floor(committed) else {
      let oldest = history.syncs[0].upstream
      return .failed("no offset-sync at or below upstream offset \(committed) (oldest retained: \(oldest))")
    }
    let exact = sync.upstream == committed
    return Result(
      offset: sync.downstream + (exact ? 0 : 1), basis: "offset-sync \(sync.upstream)->\(sync.downstream)",
      redeliveryBound: exact ? 0 : committed - sync.upstream - 1, error: nil)
  }

  /// Uses MM2's checkpoint. When the group's live committed offset is known and behind
  /// the checkpoint (the group was rewound upstream after it), the checkpoint would skip
  /// records, so the live offset is translated through the sync history instead.
  public static func viaCheckpoint(
    _ checkpoint: StoredCheckpoint, liveCommitted: Int64?, history: OffsetSyncHistory?
  ) -> Result {
    let c = checkpoint.checkpoint
    if let live = liveCommitted, live < c.upstreamOffset {
      let fallback = viaOffsetSync(committed: live, history: history)
      return Result(
        offset: fallback.offset,
        basis:
          "group rewound upstream to \(live) after checkpoint \(c.upstreamOffset)->\(c.downstreamOffset); \(fallback.basis)",
        redeliveryBound: fallback.redeliveryBound, error: fallback.error)
    }
    // The group committed past the checkpoint (MM2 emits them every emit.checkpoints.interval):
    // its live offset through the same sync rule MM2 applies is where the next checkpoint
    // would put it, without the records read since delivered again.
    if let live = liveCommitted, live > c.upstreamOffset {
      let newer = viaOffsetSync(committed: live, history: history)
      if let offset = newer.offset, offset >= c.downstreamOffset {
        return Result(
          offset: offset,
          basis: "live offset \(live), past checkpoint \(c.upstreamOffset)->\(c.downstreamOffset); \(newer.basis)",
          redeliveryBound: newer.redeliveryBound, error: nil)
      }
    }
    // What MM2 itself re-delivers for this checkpoint: the distance from the sync it used.
    var inherent: Int64? = nil
    if let sync = history?.floor(c.upstreamOffset) {
      inherent = sync.upstream == c.upstreamOffset ? 0 : c.upstreamOffset - sync.upstream - 1
    }
    // Without the live offset, what the group consumed after the checkpoint is unknown.
    var bound: Int64? = nil
    if let inherent, let live = liveCommitted { bound = inherent + (live - c.upstreamOffset) }
    return Result(
      offset: c.downstreamOffset,
      basis: .checkpoint(
        upstream: c.upstreamOffset, downstream: c.downstreamOffset, recordTimestamp: checkpoint.recordTimestamp),
      redeliveryBound: bound, error: nil)
  }

  /// The other way along a flow: a group's committed offset on a remote copy (downstream)
  /// to the position in the original topic (upstream) — where an active-active region's
  /// group, moving to the cluster a copy came from, resumes reading the original. The
  /// newest sync at or below the committed offset maps exactly when it is the committed
  /// offset; otherwise the group has consumed the sync's record, so it resumes right after
  /// it, re-reading at most the copies it read past the sync.
  public static func viaOffsetSyncBackwards(committed: Int64, history: OffsetSyncHistory?) -> Result {
    guard let history, !history.syncs.isEmpty else {
      return .failed("no offset-sync known for this partition")
    }
    guard let sync = history.syncs.last(where: { $0.downstream <= committed }) else {
      let oldest = history.syncs[0].downstream
      return .failed("no offset-sync at or below downstream offset \(committed) (oldest retained: \(oldest))")
    }
    let exact = sync.downstream == committed
    return Result(
      offset: sync.upstream + (exact ? 0 : 1), basis: "offset-sync \(sync.upstream)->\(sync.downstream) backwards",
      redeliveryBound: exact ? 0 : committed - sync.downstream - 1, error: nil)
  }

  /// Offset-preserving links: the committed offset is valid on the target as it is.
  public static func identity(committed: Int64) -> Result {
    Result(offset: committed, basis: "offset-preserving link", redeliveryBound: 0, error: nil)
  }
}
