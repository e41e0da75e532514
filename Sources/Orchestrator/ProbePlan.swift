import CurlHTTP
import Foundation
import HealthProbes
import KafkaClient
import KafkaConnect
import Topology

/// The probes a topology implies: a Kafka probe per cluster, a Connect probe per flow
/// that has a Connect URL, and the HTTP and Prometheus probes of its `probes:` section.
public struct ProbePlan: Sendable {
  public let probes: [ScheduledProbe]
  public let settings: ProbeSettings
  /// The flows' replication canaries (`canary:`), for their measurements.
  public let canaries: [ReplicationCanary]

  /// - Parameter store: where the MM2 state is, for the replication-lag probe.
  public init(
    topology: Topology, vantage: String = ProbeResult.defaultVantage, http: HTTPClient, store: StateStore? = nil
  ) throws {
    let s = topology.probes
    settings = s
    var probes: [ScheduledProbe] = []
    for cluster in topology.clusters {
      let probe = KafkaMetadataProbe(
        cluster: cluster.name, client: try cluster.makeClient(timeout: s.timeout),
        bootstrapServers: cluster.bootstrapServers, expectedBrokers: cluster.expectedBrokers, timeout: s.timeout,
        canaryTopic: s.canaryTopic)
      probes.append(
        ScheduledProbe(kind: .kafka, subject: cluster.name, interval: s.interval) {
          await probe.runResult(vantage: vantage)
        })
    }
    for flow in topology.flows {
      guard let url = topology.connectURL(of: flow) else { continue }
      let probe = ConnectProbe(
        subject: flow.name, baseURL: url, connectors: flow.connectors.all, timeout: s.timeout,
        connect: ConnectREST(http: http))
      probes.append(
        ScheduledProbe(kind: .connect, subject: flow.name, interval: s.interval) { await probe.run().at(vantage) })
    }
    for h in s.http {
      let probe = HTTPProbe(
        subject: h.subject, url: h.url, expectedStatus: h.expectStatus, bodyContains: h.bodyContains,
        timeout: s.timeout,
        client: http)
      probes.append(
        ScheduledProbe(kind: .http, subject: h.subject, interval: h.interval ?? s.interval) {
          await probe.run().at(vantage)
        })
    }
    for p in s.prometheus {
      let probe = PrometheusProbe(
        subject: p.subject, url: p.url, metric: p.metric, labels: p.labels,
        alertWhen: PrometheusProbe.Comparison(rawValue: p.alertWhen) ?? .greaterThan, threshold: p.threshold,
        timeout: s.timeout, client: http)
      probes.append(
        ScheduledProbe(kind: .prometheus, subject: p.subject, interval: p.interval ?? s.interval) {
          await probe.run().at(vantage)
        })
    }
    if let thresholds = s.replicationLag, let store {
      for flow in topology.flows {
        guard let source = topology.cluster(flow.source) else { continue }
        let probe = ReplicationLagProbe(
          flow: flow, store: store, source: try source.makeClient(timeout: s.timeout), thresholds: thresholds)
        probes.append(
          ScheduledProbe(kind: .replicationLag, subject: flow.name, interval: s.interval) {
            await probe.run().at(vantage)
          })
      }
    }
    var canaries: [ReplicationCanary] = []
    for flow in topology.flows {
      guard let settings = flow.canary, let source = topology.cluster(flow.source),
        let target = topology.cluster(flow.target)
      else { continue }
      let client = try source.makeClient(timeout: s.timeout)
      let canary = ReplicationCanary(
        flow: flow, settings: settings, source: client, target: try target.makeClient(timeout: s.timeout),
        createTopic: { try await client.createTopics([(settings.topic, 1)]) })
      canaries.append(canary)
      // A probe slot is held while it waits for the copy: at most 2 s (a slower copy is
      // seen at the next round).
      let wait = min(.seconds(2), settings.interval / 2, settings.timeout)
      probes.append(
        ScheduledProbe(kind: .canary, subject: flow.name, interval: settings.interval) {
          await canary.tick(wait: wait).at(vantage)
        })
    }
    self.canaries = canaries
    self.probes = probes
  }

  public var scheduler: ProbeScheduler { ProbeScheduler(probes: probes, maxConcurrent: settings.maxConcurrent) }

  public func model() -> HealthModel {
    HealthModel(
      hysteresis: Hysteresis(failuresToDown: settings.failuresToDown, successesToUp: settings.successesToUp),
      quorum: settings.quorum)
  }
}

extension ProbeResult {
  /// The same result as seen from `vantage`.
  func at(_ vantage: String) -> ProbeResult {
    ProbeResult(
      kind: kind, subject: subject, state: state, reasons: reasons, latencyMilliseconds: latencyMilliseconds,
      vantage: vantage, at: at)
  }
}
