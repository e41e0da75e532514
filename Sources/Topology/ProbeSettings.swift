/// The `probes:` section of the topology: defaults for every probe, the health model's
/// hysteresis and quorum, and the HTTP and Prometheus probes to run. Kafka probes (one per
/// cluster) and Connect probes (one per flow with a Connect URL) need no entry.
public struct ProbeSettings: Sendable, Equatable {
  public var interval: Duration = .seconds(5)
  public var timeout: Duration = .seconds(2)
  public var failuresToDown = 3
  public var successesToUp = 2
  public var quorum = 1
  public var maxConcurrent = 32
  /// How long probe results are kept in the state database.
  public var retention: Duration = .seconds(3600)
  /// A topic for the Kafka probe's canary (a record produced and read back); none: no canary.
  public var canaryTopic: String?
  /// Thresholds of the replication-lag probe; nil: no lag probe.
  public var replicationLag: LagThresholds?
  public var http: [HTTPProbeSpec] = []
  public var prometheus: [PrometheusProbeSpec] = []

  public init() {}
}

/// A flow is degraded when it is further behind than any of these.
public struct LagThresholds: Sendable, Equatable {
  public var maxRecordsBehind: Int64?
  public var maxHeartbeatAge: Duration?
  public var maxCheckpointAge: Duration?
  public init(maxRecordsBehind: Int64? = nil, maxHeartbeatAge: Duration? = nil, maxCheckpointAge: Duration? = nil) {
    self.maxRecordsBehind = maxRecordsBehind
    self.maxHeartbeatAge = maxHeartbeatAge
    self.maxCheckpointAge = maxCheckpointAge
  }
}

public struct HTTPProbeSpec: Sendable, Equatable {
  /// A cluster or flow name.
  public var subject: String
  public var url: String
  public var expectStatus: ClosedRange<Int> = 200...299
  public var bodyContains: String?
  public var interval: Duration?
}

public struct PrometheusProbeSpec: Sendable, Equatable {
  public var subject: String
  public var url: String
  public var metric: String
  public var labels: [String: String] = [:]
  /// `>`, `>=`, `<`, `<=`, `==` or `!=`: the subject degrades when a sample meets it.
  public var alertWhen: String
  public var threshold: Double
  public var interval: Duration?
}

/// Durations as operators write them: `500ms`, `5s`, `2m`, `1h`.
public enum DurationText {
  public static func parse(_ s: String) -> Duration? {
    let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
    for (suffix, ms) in units where s.hasSuffix(suffix) {
      // Past about 285,000 years the milliseconds would not fit an Int64 (a trap, not an error).
      guard let n = Double(s.dropLast(suffix.count)), n >= 0, n.isFinite, n * Double(ms) < 9e15 else { return nil }
      return .milliseconds(Int64(n * Double(ms)))
    }
    return nil
  }

  /// `500ms`, `5s`, `2m`: what `parse` reads back.
  public static func format(_ d: Duration) -> String {
    let ms = d / .milliseconds(1)
    if ms >= 60_000, ms.truncatingRemainder(dividingBy: 60_000) == 0 { return "\(Int64(ms / 60_000))m" }
    if ms >= 1000, ms.truncatingRemainder(dividingBy: 1000) == 0 { return "\(Int64(ms / 1000))s" }
    return "\(Int64(ms))ms"
  }
}
