import CoreMetrics
import Foundation
import HealthProbes
import NIOConcurrencyHelpers
import Orchestrator
import Prometheus
import Topology

/// The control service's metrics, through swift-metrics with a Prometheus registry of its
/// own (not the process-wide bootstrap, so that tests and embedders can make several).
///
/// Counters and histograms are updated as things happen; gauges that mirror state
/// (health, lag, epochs, waiting long-polls) are refreshed when `/metrics` is scraped.
public final class ServiceMetrics: Sendable {
  public let registry = PrometheusCollectorRegistry()
  private let factory: PrometheusMetricsFactory
  private let requestCounters = NIOLockedValueBox([RequestKey: CoreMetrics.Counter]())

  private struct RequestKey: Hashable {
    let route: String
    let method: String
    let code: Int
  }

  public init() {
    var f = PrometheusMetricsFactory(registry: registry)
    f.defaultDurationHistogramBuckets = [
      .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10),
      .milliseconds(25), .milliseconds(50),
      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
    ]
    factory = f
  }

  /// One HTTP request answered, by route template and status code.
  public func request(route: String, method: String, code: Int) {
    requestCounter(route: route, method: method, code: code).increment()
  }

  /// The counter of one route, method and status, for a caller that counts often.
  public func requestCounter(route: String, method: String, code: Int) -> CoreMetrics.Counter {
    let key = RequestKey(route: route, method: method, code: code)
    return requestCounters.withLockedValue { counters in
      if let c = counters[key] { return c }
      let c = CoreMetrics.Counter(
        label: "kafka_failover_http_requests_total",
        dimensions: [("route", route), ("method", method), ("code", String(code))], factory: factory)
      counters[key] = c
      return c
    }
  }

  public func probe(_ r: ProbeResult) {
    CoreMetrics.Timer(
      label: "kafka_failover_probe_latency_seconds", dimensions: [("kind", r.kind.rawValue)], factory: factory
    )
    .recordNanoseconds(Int64(r.latencyMilliseconds * 1_000_000))
  }

  /// A promote or demote finished with `outcome` (`succeeded`, `rejected`, `failed`).
  /// Counts a failover's end (its status) or a refusal (`rejected`) by kind.
  public func failover(kind: FailoverKind, outcome: String) {
    CoreMetrics.Counter(
      label: "kafka_failover_failovers_total", dimensions: [("kind", kind.rawValue), ("outcome", outcome)],
      factory: factory
    ).increment()
  }

  /// A change of a service's discovery reached the waiting clients of one event loop (their
  /// long-polls answered, their event streams sent it) this long after it was published.
  public func discoveryWakeup(_ d: Duration) {
    CoreMetrics.Timer(label: "kafka_failover_discovery_wakeup_seconds", factory: factory).recordNanoseconds(
      d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
  }

  /// Every vantage point's verdict on each cluster (0 healthy, 1 degraded, 2 unreachable):
  /// this instance's own and, coordinated, the others' it has read.
  public func votes(_ votes: [VantageVote]) {
    for v in votes {
      let value: Double =
        switch v.state {
        case .healthy: 0
        case .degraded: 1
        case .unreachable: 2
        }
      gauge("kafka_failover_vantage_vote", [("cluster", v.subject), ("vantage", v.vantage)]).record(value)
    }
  }

  /// A finished (or refused) drill: counted by outcome; a drill that ran sets the gauges of
  /// the service's last drill (RPO in records, RTO and client follow time per direction,
  /// whether offsets were exact, when it finished and whether it passed).
  public func drill(_ d: DrillRecord) {
    CoreMetrics.Counter(
      label: "kafka_failover_drills_total", dimensions: [("service", d.service), ("outcome", d.status.rawValue)],
      factory: factory
    ).increment()
    guard d.status != .refused, d.status != .running else { return }
    let dims = [("service", d.service)]
    gauge("kafka_failover_drill_last_passed", dims).record(d.status == .passed ? 1 : 0)
    gauge("kafka_failover_drill_last_lost_records", dims).record(Double(d.report.lost))
    gauge("kafka_failover_drill_last_offsets_exact", dims).record(d.report.offsetsExact ? 1 : 0)
    if let at = d.finishedAt {
      gauge("kafka_failover_drill_last_timestamp_seconds", dims).record(at.timeIntervalSince1970)
      if d.status == .passed {
        gauge("kafka_failover_drill_last_success_timestamp_seconds", dims).record(at.timeIntervalSince1970)
      }
    }
    for leg in d.report.legs {
      let legDims = dims + [("direction", leg.direction.rawValue)]
      if let rto = leg.rtoMs { gauge("kafka_failover_drill_last_rto_seconds", legDims).record(Double(rto) / 1000) }
      if let f = leg.clientFollowMs {
        gauge("kafka_failover_drill_last_client_follow_seconds", legDims).record(Double(f) / 1000)
      }
    }
  }

  /// A service whose policy schedules drills: 1, and when the next one is due.
  public func drillScheduled(service: String, next: Date?) {
    gauge("kafka_failover_drill_scheduled", [("service", service)]).record(1)
    if let next {
      gauge("kafka_failover_drill_next_timestamp_seconds", [("service", service)]).record(next.timeIntervalSince1970)
    }
  }

  /// 1 when the last scheduled drill instant whose window closed has no passed drill since.
  public func drillOverdue(service: String, _ overdue: Bool) {
    gauge("kafka_failover_drill_overdue", [("service", service)]).record(overdue ? 1 : 0)
  }

  /// The replication canaries: what they sent, what arrived, what was lost (counts since
  /// the instance started, as gauges: they are this instance's, not a shared total) and
  /// the newest latency.
  public func canaries(_ states: [CanaryState]) {
    for s in states {
      let dims = [("flow", s.flow)]
      gauge("kafka_failover_canary_sent", dims).record(Double(s.sent))
      gauge("kafka_failover_canary_arrived", dims).record(Double(s.arrived))
      gauge("kafka_failover_canary_lost", dims).record(Double(s.lost))
      gauge("kafka_failover_canary_oldest_pending_seconds", dims).record(s.oldestPendingSeconds)
      if let l = s.lastLatencySeconds { gauge("kafka_failover_canary_latency_seconds", dims).record(l) }
    }
  }

  /// Each flow's RPO budget: the smallest `guards.maxLagRecords` of the policies of the
  /// services (and lanes) that would fail over along it, so that an alert can compare
  /// `kafka_failover_flow_records_behind` with it.
  public func rpoBudgets(topology: Topology, policies: [String: Policy]) {
    var budget: [String: Int64] = [:]
    for lane in topology.lanes {
      guard let max = lane.policy.flatMap({ policies[$0] })?.guards.maxLagRecords else { continue }
      for standby in lane.standbys {
        guard let flow = topology.flow(from: lane.primary, to: standby) else { continue }
        budget[flow.name] = Swift.min(budget[flow.name] ?? max, max)
      }
    }
    for (flow, b) in budget { gauge("kafka_failover_flow_rpo_budget_records", [("flow", flow)]).record(Double(b)) }
  }

  /// Sets the gauges that mirror state, just before a scrape.
  public func refresh(
    clusters: [(name: String, health: HealthState?)], flows: [FlowLag], services: [ServiceState], longPolls: Int,
    eventStreams: Int
  ) {
    for c in clusters {
      // 0 healthy, 1 degraded, 2 unreachable, -1 not probed yet.
      let value: Double =
        switch c.health {
        case .healthy?: 0
        case .degraded?: 1
        case .unreachable?: 2
        case nil: -1
        }
      gauge("kafka_failover_cluster_health", [("cluster", c.name)]).record(value)
    }
    for f in flows {
      let dims = [("flow", f.flow)]
      if let n = f.recordsBehind { gauge("kafka_failover_flow_records_behind", dims).record(Double(n)) }
      if let a = f.checkpointAgeSeconds { gauge("kafka_failover_flow_checkpoint_age_seconds", dims).record(a) }
      if let a = f.heartbeatAgeSeconds { gauge("kafka_failover_flow_heartbeat_age_seconds", dims).record(a) }
    }
    for s in services {
      gauge("kafka_failover_service_epoch", [("service", s.service)]).record(Double(s.epoch))
      gauge("kafka_failover_service_writable", [("service", s.service)]).record(s.writable ? 1 : 0)
    }
    gauge("kafka_failover_discovery_long_polls_waiting", []).record(Double(longPolls))
    gauge("kafka_failover_discovery_event_streams", []).record(Double(eventStreams))
  }

  /// Records written to a service's own topics on a cluster that is not its active one.
  public func standbyWrites(service: String, cluster: String, records: Int64) {
    gauge("kafka_failover_standby_writes_records", [("service", service), ("cluster", cluster)]).record(
      Double(records))
  }

  /// Records an old primary holds of a service's topic that never reached the cluster the
  /// service moved to (0 when there is no such tail).
  public func unreplicated(service: String, topic: String, records: Int64) {
    gauge("kafka_failover_unreplicated_records", [("service", service), ("topic", topic)]).record(Double(records))
  }

  /// The conflict report of an active-active service (sampled keys).
  public func conflicts(_ r: ConflictReport) {
    gauge("kafka_failover_conflicting_keys", [("service", r.service)]).record(Double(r.conflictingKeys))
    gauge("kafka_failover_conflicting_writes", [("service", r.service)]).record(Double(r.conflictingWrites))
    gauge("kafka_failover_conflict_keys_watched", [("service", r.service)]).record(Double(r.keysWatched))
  }

  /// A supervised background service failed (it is started again after a backoff).
  public func backgroundFailure(_ service: String) {
    CoreMetrics.Counter(
      label: "kafka_failover_background_failures_total", dimensions: [("service", service)], factory: factory
    ).increment()
  }

  /// 1 for each background service that runs, 0 for each that is down.
  public func background(_ entries: [StatusView.BackgroundEntry]) {
    for e in entries {
      gauge("kafka_failover_background_up", [("service", e.service)]).record(e.state == .running ? 1 : 0)
    }
  }

  /// 1 while this instance leads the control plane (standalone: always), else 0.
  public func role(leader: Bool) {
    gauge("kafka_failover_control_plane_leader", []).record(leader ? 1 : 0)
  }

  /// Counts each time this instance becomes the leader.
  public func becameLeader() {
    CoreMetrics.Counter(label: "kafka_failover_control_plane_leadership_changes_total", factory: factory).increment()
  }

  private func gauge(_ label: String, _ dims: [(String, String)]) -> CoreMetrics.Gauge {
    CoreMetrics.Gauge(label: label, dimensions: dims, factory: factory)
  }
}
