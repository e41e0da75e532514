import KafkaClient

/// What the orchestrator concludes about one cluster from one look at it.
public enum HealthState: String, Sendable, Codable, Equatable, Comparable {
  case healthy, degraded, unreachable

  private var rank: Int {
    switch self {
    case .healthy: 0
    case .degraded: 1
    case .unreachable: 2
    }
  }
  public static func < (a: HealthState, b: HealthState) -> Bool { a.rank < b.rank }
}

/// One observation of a cluster, with the reasons behind its state.
public struct ClusterHealth: Sendable, Codable, Equatable {
  public let cluster: String
  public let state: HealthState
  public let reasons: [String]
  public let brokersUp: Int
  public let brokersExpected: Int?
  public let controllerId: Int32?
  public let topics: Int
  public let partitions: Int
  public let offlinePartitions: Int
  public let underReplicatedPartitions: Int
  public let latencyMilliseconds: Double
  /// Round trip of the canary record (produce, then read back), when one ran and passed.
  public var canaryMilliseconds: Double? = nil

  /// Judges a successful metadata answer. Offline partitions or a missing controller
  /// make a cluster degraded, not unreachable: it still answers and part of it serves.
  public static func evaluate(
    cluster: String, description d: ClusterDescription, expectedBrokers: Int?, latency: Duration,
    minISR: [String: Int] = [:]
  ) -> ClusterHealth {
    var reasons: [String] = []
    var state = HealthState.healthy
    if let expected = expectedBrokers, d.brokers.count < expected {
      state = .degraded
      reasons.append("\(d.brokers.count) of \(expected) brokers up")
    }
    if d.controllerId < 0 {
      state = .degraded
      reasons.append("no active controller")
    }
    let userTopics = d.topics.filter { !$0.isInternal }
    let offline = d.offlinePartitions
    if !offline.isEmpty {
      state = .degraded
      reasons.append("\(offline.count) offline partitions (e.g. \(offline[0]))")
    }
    // Partitions that refuse acks=all writes: fewer in-sync replicas than the topic requires.
    let belowMin = d.topics.flatMap { t -> [String] in
      guard let min = minISR[t.name] else { return [] }
      return t.partitions.filter { !$0.isOffline && $0.isr.count < min }.map {
        "\(t.name)-\($0.id): ISR \($0.isr.count) < \(min)"
      }
    }
    if !belowMin.isEmpty {
      state = .degraded
      reasons.append("\(belowMin.count) partitions under min ISR (e.g. \(belowMin[0]))")
    }
    let under = d.underReplicatedPartitions
    if !under.isEmpty {
      state = .degraded
      reasons.append("\(under.count) under-replicated partitions (e.g. \(under[0]))")
    }
    return ClusterHealth(
      cluster: cluster, state: state, reasons: reasons, brokersUp: d.brokers.count, brokersExpected: expectedBrokers,
      controllerId: d.controllerId, topics: userTopics.count,
      partitions: userTopics.reduce(0) { $0 + $1.partitions.count }, offlinePartitions: offline.count,
      underReplicatedPartitions: under.count, latencyMilliseconds: latency.milliseconds)
  }

  /// A cluster whose brokers accept connections but did not answer metadata in time.
  public static func slow(cluster: String, error: Error, expectedBrokers: Int?, latency: Duration) -> ClusterHealth {
    noMetadata(
      cluster, .degraded, "brokers accept connections but metadata did not come within the timeout: \(error)",
      expectedBrokers, latency)
  }

  /// A cluster that did not answer metadata within the timeout.
  public static func unreachable(cluster: String, error: Error, expectedBrokers: Int?, latency: Duration)
    -> ClusterHealth
  {
    noMetadata(cluster, .unreachable, "metadata request failed: \(error)", expectedBrokers, latency)
  }

  private static func noMetadata(
    _ cluster: String, _ state: HealthState, _ reason: String, _ expectedBrokers: Int?, _ latency: Duration
  ) -> ClusterHealth {
    ClusterHealth(
      cluster: cluster, state: state, reasons: [reason], brokersUp: 0, brokersExpected: expectedBrokers,
      controllerId: nil, topics: 0, partitions: 0, offlinePartitions: 0, underReplicatedPartitions: 0,
      latencyMilliseconds: latency.milliseconds)
  }
}

extension Duration {
  var milliseconds: Double { self / .milliseconds(1) }
}

extension ClusterHealth {
  func withCanary(_ ms: Double?, failure: String?) -> ClusterHealth {
    var copy = ClusterHealth(
      cluster: cluster, state: failure == nil ? state : max(state, .degraded),
      reasons: reasons + (failure.map { [$0] } ?? []),
      brokersUp: brokersUp, brokersExpected: brokersExpected, controllerId: controllerId, topics: topics,
      partitions: partitions, offlinePartitions: offlinePartitions,
      underReplicatedPartitions: underReplicatedPartitions,
      latencyMilliseconds: latencyMilliseconds)
    copy.canaryMilliseconds = ms
    return copy
  }

  public static let tableHeader = [
    "CLUSTER", "STATE", "BROKERS", "CTRL", "TOPICS", "PARTS", "OFFLINE", "URP", "LATENCY",
  ]

  /// This observation as a row under `tableHeader`.
  public var tableRow: [String] {
    let ms = (latencyMilliseconds * 10).rounded() / 10
    return [
      cluster, state.rawValue, "\(brokersUp)/\(brokersExpected.map(String.init) ?? "?")",
      controllerId.map { "\($0)" } ?? "-", "\(topics)", "\(partitions)", "\(offlinePartitions)",
      "\(underReplicatedPartitions)", "\(ms) ms",
    ]
  }
}
