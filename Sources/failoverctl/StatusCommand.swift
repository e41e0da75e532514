import ArgumentParser
import ControlService
import Foundation
import HealthProbes
import Orchestrator

struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Services with their active cluster and epoch, clusters with their health, flows with their lag.",
    discussion: """
      Asks the control service (--server). With --config, reads the state database directly instead \
      (judging the probe results that `failoverctl probe` stored), for when no service runs.
      """)

  @Option(help: "Read this topology and --db directly instead of asking the server.") var config: String?
  @Option(help: "The SQLite state database (with --config).") var db: String = StateStore.defaultPath
  @OptionGroup var server: ServerOptions

  var output: OutputFormat { server.output }

  func run() async throws {
    guard let config else {
      try await remote()
      return
    }
    do {
      let topology = try TopologyLoader.load(path: config).topology
      let store = try await StateStore.open(path: db)
      let p = topology.probes
      var model = HealthModel(
        hysteresis: Hysteresis(failuresToDown: p.failuresToDown, successesToUp: p.successesToUp), quorum: p.quorum)
      for r in try await store.recentProbeResults(perProbe: max(p.failuresToDown, p.successesToUp) * 4) {
        model.observe(r)
      }
      let judged = Dictionary(uniqueKeysWithValues: model.subjects.map { ($0.subject, $0) })
      let clusters = topology.clusters.map { c in
        judged[c.name].map { Judged(name: c.name, label: "cluster", $0) } ?? Judged(name: c.name, label: "cluster")
      }
      var flows: [FlowStatus] = []
      for f in topology.flows {
        let lag = try await FlowLag.measure(flow: f, store: store, source: nil)
        let covered =
          f.connectURL != nil || topology.cluster(f.target)?.connectURL != nil || p.replicationLag != nil
          || p.http.contains { $0.subject == f.name } || p.prometheus.contains { $0.subject == f.name }
        let health =
          judged[f.name].map { Judged(name: f.name, label: "flow", $0) }
          ?? Judged(
            name: f.name, label: "flow",
            reason: covered
              ? "no probe results yet: run failoverctl probe"
              : "no probe covers this flow: give it a connectUrl or set probes.replicationLag")
        flows.append(FlowStatus(health: health, lag: lag))
      }
      let services = try await store.serviceStates()
      if output == .json {
        try printJSON(Status(clusters: clusters, flows: flows, services: services))
        return
      }
      print(
        table(
          ["CLUSTER", "STATE", "SINCE", "REASONS"],
          clusters.map { [$0.name, $0.state, $0.sinceText, $0.reasons.joined(separator: "; ")] }))
      print("")
      print(
        table(
          ["FLOW", "STATE", "CHECKPOINT AGE", "HEARTBEAT AGE", "REASONS"],
          flows.map {
            [
              $0.health.name, $0.health.state, seconds($0.lag.checkpointAgeSeconds),
              seconds($0.lag.heartbeatAgeSeconds),
              $0.health.reasons.joined(separator: "; "),
            ]
          }))
      if !services.isEmpty {
        print("")
        print(serviceTable(services))
      }
    } catch {
      throw reportFailure(error)
    }
  }

  struct Status: Encodable {
    let clusters: [Judged]
    let flows: [FlowStatus]
    let services: [ServiceState]
  }

  struct FlowStatus: Encodable {
    let health: Judged
    let lag: FlowLag
  }

  struct Judged: Encodable {
    let name: String
    /// The JSON key of the name: `cluster` or `flow`.
    let label: String
    /// `healthy`, `degraded`, `unreachable`, or `unknown` before any probe result.
    let state: String
    let reasons: [String]
    let since: Date?

    init(name: String, label: String, _ h: SubjectHealth) {
      self.name = name
      self.label = label
      state = h.state.rawValue
      reasons = h.reasons
      since = h.since
    }

    init(name: String, label: String, reason: String = "no probe results yet: run failoverctl probe") {
      self.name = name
      self.label = label
      state = "unknown"
      reasons = [reason]
      since = nil
    }

    var sinceText: String { since.map { ISO8601DateFormatter().string(from: $0) } ?? "-" }

    struct Key: CodingKey {
      let stringValue: String
      init(_ s: String) { stringValue = s }
      init?(stringValue: String) { self.stringValue = stringValue }
      var intValue: Int? { nil }
      init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
      var c = encoder.container(keyedBy: Key.self)
      try c.encode(name, forKey: Key(label))
      try c.encode(state, forKey: Key("state"))
      try c.encode(reasons, forKey: Key("reasons"))
      try c.encodeIfPresent(since, forKey: Key("since"))
    }
  }
}

extension StatusCommand {
  /// The status as the control service sees it, live.
  func remote() async throws {
    let status = try await server.client.get("/v1/status", as: StatusView.self)
    if output == .json {
      try printJSON(status)
      return
    }
    print(
      TextTable.render(
        ["SERVICE", "ACTIVE", "REGION", "EPOCH", "STATE"],
        status.services.map {
          [
            $0.service, $0.activeCluster, $0.region, "\($0.epoch)",
            $0.writable ? $0.state : "\($0.state) (not writable)",
          ]
        }))
    print("")
    print(
      TextTable.render(
        ["CLUSTER", "REGION", "STATE", "REASONS"],
        status.clusters.map { [$0.cluster, $0.region, $0.state, $0.reasons.joined(separator: "; ")] }, maxWidth: 80))
    if !status.flows.isEmpty {
      print("")
      print(
        TextTable.render(
          ["FLOW", "STATE", "BEHIND", "CHECKPOINT", "REASONS"],
          status.flows.map {
            [
              $0.flow, $0.state, $0.recordsBehind.map { "\($0)" } ?? "-", seconds($0.checkpointAgeSeconds),
              $0.reasons.joined(separator: "; "),
            ]
          }, maxWidth: 80))
    }
  }
}

private func seconds(_ v: Double?) -> String { v.map { String(format: "%.0f s", $0) } ?? "-" }
