/// How a subject is probed: the closed set of probes this orchestrator runs. The raw value
/// is what the state database, the API, the metrics and policies (`probeFailing.kind`) say.
public enum ProbeKind: String, Sendable, Codable, CaseIterable, Comparable, CustomStringConvertible {
  /// A cluster's metadata: brokers, partitions, ISR (docs/health.md).
  case kafka
  /// A flow's Kafka Connect connectors.
  case connect
  case http
  case prometheus
  /// A flow's lag from its offset-syncs.
  case replicationLag = "replication-lag"
  /// A flow's replication canary, end to end.
  case canary

  public var description: String { rawValue }
  public static func < (a: ProbeKind, b: ProbeKind) -> Bool { a.rawValue < b.rawValue }
}
