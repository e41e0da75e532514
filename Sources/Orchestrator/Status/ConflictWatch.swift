import Foundation

/// The conflict report's memory: for each sampled key, when each cluster last took a
/// write of it. A write of a key that another cluster took within the window is a
/// conflict. Keys are held by a 64-bit hash (the memory per key does not grow with the
/// key), at most `maxKeys` of them: past that, the keys whose last write is oldest go.
public struct ConflictWatch: Sendable {
  struct Key: Hashable, Sendable {
    let topic: String
    let hash: UInt64
  }

  public let service: String
  public let window: Duration
  public let sample: Int
  public let maxKeys: Int
  /// Per key, the newest write (epoch milliseconds) each cluster took.
  private var lastWrites: [Key: [String: Int64]] = [:]
  private var conflicts = 0
  private var recent: [ConflictReport.Example] = []

  public init(service: String, window: Duration, sample: Int, maxKeys: Int) {
    self.service = service
    self.window = window
    self.sample = max(1, sample)
    self.maxKeys = max(1, maxKeys)
  }

  /// FNV-1a: stable across processes and regions, so that every instance and every
  /// region samples the same keys.
  static func hash(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in bytes {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01b3
    }
    return h
  }

  /// A record of `topic` with `key` written to `cluster` at `timestamp` (ms). Records
  /// without a key cannot conflict.
  public mutating func observe(cluster: String, topic: String, key: [UInt8]?, timestamp: Int64) {
    guard let key else { return }
    let h = Self.hash(key)
    guard h % UInt64(sample) == 0 else { return }
    let k = Key(topic: topic, hash: h)
    var writes = lastWrites[k] ?? [:]
    let windowMs = Int64(window / .milliseconds(1))
    let others = writes.filter { $0.key != cluster && abs(timestamp - $0.value) <= windowMs }
    if !others.isEmpty {
      conflicts += 1
      recent.insert(
        .init(
          topic: topic, key: Self.text(key), clusters: ([cluster] + others.keys).sorted(),
          at: Date(timeIntervalSince1970: Double(timestamp) / 1000)), at: 0)
      if recent.count > 10 { recent.removeLast() }
    }
    writes[cluster] = max(writes[cluster] ?? .min, timestamp)
    lastWrites[k] = writes
    if lastWrites.count > maxKeys { evict(now: timestamp) }
  }

  /// Drops what the window no longer covers, then (still too many) the oldest keys.
  private mutating func evict(now: Int64) {
    let windowMs = Int64(window / .milliseconds(1))
    lastWrites = lastWrites.filter { ($0.value.values.max() ?? 0) >= now - windowMs }
    guard lastWrites.count > maxKeys else { return }
    let keep = lastWrites.sorted { ($0.value.values.max() ?? 0) > ($1.value.values.max() ?? 0) }.prefix(
      maxKeys * 9 / 10)
    lastWrites = Dictionary(uniqueKeysWithValues: keep.map { ($0.key, $0.value) })
  }

  public var keysWatched: Int { lastWrites.count }

  public func report(at now: Date) -> ConflictReport {
    let windowMs = Int64(window / .milliseconds(1))
    let since = Int64(now.timeIntervalSince1970 * 1000) - windowMs
    // Two clusters' newest writes within a window of each other, the later one recent.
    let current = lastWrites.values.filter { writes in
      let times = writes.values.sorted()
      guard let newest = times.last, newest >= since, times.count >= 2 else { return false }
      return zip(times, times.dropFirst()).contains { $1 - $0 <= windowMs }
    }.count
    return ConflictReport(
      service: service, windowSeconds: window / .seconds(1), sample: sample, keysWatched: lastWrites.count,
      conflictingKeys: current, conflictingWrites: conflicts, recent: recent, checkedAt: now)
  }

  static func text(_ key: [UInt8]) -> String {
    if let s = String(validating: key, as: UTF8.self),
      s.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }),
      s.count <= 200
    {
      return s
    }
    return "0x" + key.prefix(100).map { String(format: "%02x", $0) }.joined()
  }
}
