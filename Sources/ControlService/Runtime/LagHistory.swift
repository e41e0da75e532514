import Foundation

/// What the console draws lag over time from: each flow's measured lag, kept in memory for
/// the last hour (at most one sample per `spacing`, so a 1 s probe interval still keeps a
/// bounded 720 per flow). A restart starts it empty: the trend is for watching an incident,
/// the RPO decisions use the last measurement (`LagBook`), not this.
struct LagHistory: Sendable {
  struct Sample: Sendable, Codable, Equatable {
    let at: Date
    let recordsBehind: Int64
    let checkpointAgeSeconds: Double?
  }

  static let window: TimeInterval = 3600
  static let spacing: TimeInterval = 5

  private var samples: [String: [Sample]] = [:]

  mutating func record(_ flow: String, _ sample: Sample) {
    var kept = samples[flow, default: []]
    // Within one spacing-long slot the newest value replaces the slot's sample: the chart
    // shows the latest, and the count stays bounded whatever the probe interval.
    if let last = kept.last, Self.slot(last.at) == Self.slot(sample.at) {
      kept[kept.count - 1] = sample
    } else {
      kept.append(sample)
    }
    let oldest = sample.at.addingTimeInterval(-Self.window)
    if let first = kept.firstIndex(where: { $0.at >= oldest }), first > 0 { kept.removeFirst(first) }
    samples[flow] = kept
  }

  private static func slot(_ at: Date) -> Int64 { Int64((at.timeIntervalSince1970 / spacing).rounded(.down)) }

  /// A flow's samples of the last `seconds`, oldest first.
  func samples(_ flow: String, seconds: TimeInterval, now: Date) -> [Sample] {
    let oldest = now.addingTimeInterval(-seconds)
    return samples[flow, default: []].filter { $0.at >= oldest }
  }
}
