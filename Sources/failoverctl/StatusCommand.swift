import ArgumentParser
import ControlService
import ControlServiceClient
import Foundation
import HealthProbes
import Orchestrator
import Topology

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
      var lags: [(Flow, FlowLag)] = []
      for f in topology.flows { lags.append((f, try await FlowLag.measure(flow: f, store: store, source: nil))) }
      let status = StatusView.build(
        topology: topology, states: try await store.serviceStates(), health: { judged[$0] }, lags: lags)
      try render(status)
    } catch {
      throw reportFailure(error)
    }
  }

}

extension StatusCommand {
  /// The status as the control service sees it, live.
  func remote() async throws {
    let client = server.client
    let status = try await client.get("/v1/status", as: StatusView.self)
    // Older servers have no control-plane route: the status alone stands.
    let plane = try? await client.get("/v1/control-plane", as: ControlPlaneSummary.self)
    try render(status)
    if output == .text, let plane {
      print("")
      if plane.mode == .standalone {
        print("control plane: standalone (this instance leads)")
      } else {
        let leader = plane.leader.map { "\($0.instance) in \($0.region)" } ?? "none"
        print("control plane: coordinated, leader \(leader)")
        print("  members: " + plane.members.map(\.instance).joined(separator: ", ") + "; this is \(plane.me.instance)")
      }
    }
  }

  /// What `status` shows of `GET /v1/control-plane`.
  struct ControlPlaneSummary: Decodable {
    struct Member: Decodable {
      let instance: String
      let region: String
    }
    let mode: ControlPlaneMode
    let me: Member
    let leader: Member?
    let members: [Member]

    enum CodingKeys: String, CodingKey {
      case mode, leader, members
      case me = "self"
    }
  }

  /// The same rendering whether the status came from the service or from the database.
  /// Each vantage point's verdict when there are several ("west-1=unreachable"; a `*`
  /// marks a verdict from inside the cluster's region, which does not count).
  static func votes(_ votes: [StatusView.Vote]) -> String {
    guard votes.count > 1 else { return "" }
    return votes.map { "\($0.vantage)=\($0.state.rawValue)\($0.state == .unreachable && !$0.counted ? "*" : "")" }
      .joined(separator: " ")
  }

  func render(_ status: StatusView) throws {
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
            $0.writable ? $0.state.rawValue : "\($0.state.rawValue) (not writable)",
          ]
        }))
    print("")
    print(
      TextTable.render(
        ["CLUSTER", "REGION", "STATE", "VOTES", "REASONS"],
        status.clusters.map {
          [$0.cluster, $0.region, $0.state.rawValue, Self.votes($0.votes), $0.reasons.joined(separator: "; ")]
        },
        maxWidth: 80))
    if !status.flows.isEmpty {
      print("")
      print(
        TextTable.render(
          ["FLOW", "STATE", "BEHIND", "CHECKPOINT", "REASONS"],
          status.flows.map {
            [
              $0.flow, $0.state.rawValue, $0.recordsBehind.map { "\($0)" } ?? "-", seconds($0.checkpointAgeSeconds),
              $0.reasons.joined(separator: "; "),
            ]
          }, maxWidth: 80))
    }
    if !status.canaries.isEmpty {
      print("")
      print(
        TextTable.render(
          ["CANARY", "LATENCY", "MEDIAN", "SENT", "ARRIVED", "LOST", "ON ITS WAY"],
          status.canaries.map {
            [
              $0.flow, tenths($0.lastLatencySeconds), tenths($0.medianLatencySeconds), "\($0.sent)", "\($0.arrived)",
              "\($0.lost)", $0.oldestPendingSeconds > 0 ? tenths($0.oldestPendingSeconds) : "-",
            ]
          }, maxWidth: 80))
    }
    if !status.standbyWrites.isEmpty {
      print("")
      print(
        TextTable.render(
          ["STANDBY WRITES", "CLUSTER", "STATE", "RECORDS", "PARTITIONS"],
          status.standbyWrites.map {
            [
              $0.service, $0.cluster, $0.state.rawValue, "\($0.records)",
              $0.partitions.isEmpty
                ? "-"
                : $0.partitions.map { "\($0.topic)[\($0.partition)]: \($0.records)" }
                  .joined(separator: ", "),
            ]
          }, maxWidth: 80))
    }
    for d in status.divergence where d.records > 0 {
      print("")
      print(
        "DIVERGENCE \(d.service): \(d.records) records on \(d.oldPrimary) never reached \(d.active) "
          + "(failover \(d.failoverId)\(d.oldPrimaryAnswers ? "" : ", \(d.oldPrimary) not answering: the journal's bound"))"
      )
      print(DivergenceTable.render(d))
    }
    if !status.conflicts.isEmpty {
      print("")
      print(
        TextTable.render(
          ["CONFLICTS", "KEYS NOW", "WRITES", "WATCHED", "SAMPLE", "NEWEST"],
          status.conflicts.map {
            [
              $0.service, "\($0.conflictingKeys)", "\($0.conflictingWrites)", "\($0.keysWatched)", "1/\($0.sample)",
              $0.recent.first.map { "\($0.topic) \($0.key) on \($0.clusters.joined(separator: ", "))" } ?? "-",
            ]
          }, maxWidth: 80))
    }
    // The server's background services, when one is down or had to be started again.
    let troubled = status.background.filter { $0.state == .down || $0.restarts > 0 }
    if !troubled.isEmpty {
      print("")
      print(
        TextTable.render(
          ["BACKGROUND", "STATE", "RESTARTS", "LAST ERROR"],
          troubled.map { [$0.service, $0.state.rawValue, "\($0.restarts)", $0.lastError ?? "-"] }, maxWidth: 80))
    }
  }
}

private func seconds(_ v: Double?) -> String { v.map { String(format: "%.0f s", $0) } ?? "-" }
private func tenths(_ v: Double?) -> String { v.map { String(format: "%.1f s", $0) } ?? "-" }
