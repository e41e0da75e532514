/// Per source partition, the offset-sync state of a mirror, following MM2's
/// MirrorSourceTask: a sync is emitted for the first record, whenever the offset mapping
/// drifts (the downstream offset is not the upstream one shifted by the last sync's
/// difference), and at least every `offset.lag.max` records. When the mirror reaches the
/// end of the partition, the last record is synced too, so that a caught-up flow shows
/// zero lag (MM2 reaches the same through its periodic sync flush).
struct PartitionSync {
  private(set) var last: (upstream: Int64, downstream: Int64)? = nil
  /// Syncs emitted, oldest first (the newest 10,000), for checkpoints.
  private var history: [(upstream: Int64, downstream: Int64)] = []
  /// The newest record copied, and where it landed.
  private(set) var copied: (upstream: Int64, downstream: Int64)? = nil

  /// Records a copy; returns the sync to emit for it, if one is due.
  mutating func copied(upstream: Int64, downstream: Int64, offsetLagMax: Int64) -> (Int64, Int64)? {
    copied = (upstream, downstream)
    if let last {
      let drifted = downstream - last.downstream != upstream - last.upstream
      guard drifted || upstream - last.upstream >= offsetLagMax else { return nil }
    }
    remember(upstream, downstream)
    return (upstream, downstream)
  }

  private mutating func remember(_ upstream: Int64, _ downstream: Int64) {
    last = (upstream, downstream)
    history.append((upstream, downstream))
    if history.count > 10_000 { history.removeFirst(history.count - 10_000) }
  }

  /// At the end of the partition: the sync of the newest copy, if it is not the last one.
  mutating func flush() -> (Int64, Int64)? {
    guard let copied, copied.upstream != last?.upstream else { return nil }
    remember(copied.upstream, copied.downstream)
    return copied
  }

  /// The downstream offset for a group committed at `upstream`, as MM2's
  /// OffsetSyncStore.translateDownstream: exact at the sync, else one past the sync's
  /// downstream (never past a record the group has not consumed).
  func translate(_ upstream: Int64) -> Int64? {
    guard let sync = history.last(where: { $0.upstream <= upstream }) else { return nil }
    return upstream == sync.upstream ? sync.downstream : sync.downstream + 1
  }
}
