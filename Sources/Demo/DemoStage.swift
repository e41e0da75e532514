import ControlService
import ControlServiceClient
import Foundation
import KafkaLab
import Logging
import Orchestrator
import Topology

/// What every scenario plays on: simulated regions with MM2-style mirrors and the lab's
/// Connect-style API, the control service, and traffic following discovery. The stage owns
/// them all and tears them down in one order, whether the scenario ends or throws.
final class DemoStage {
  let settings: DemoSettings
  let lab: Lab
  /// The lab's API: the mirrors' Connect-style REST, the regions' failures, etcd's members.
  let labURL: String
  let etcd: EtcdMembers?
  /// Set when the producers must stop; the consumers go on reading.
  let stopProducing = DemoFlag()
  /// Stopped in reverse order of their start, each waited for.
  private var servers: [Task<Void, Error>] = []
  /// Traffic, the timeline, watchers: cancelled first.
  private var tasks: [Task<Void, Never>] = []
  private let replicating: [Task<Void, Never>]

  var say: @Sendable (String) -> Void { settings.say }

  /// Consumers process records this long after they were produced (work per record), and
  /// mirrors a second behind copy them after that: a region failure then catches records
  /// that consumers had not processed and replication had not copied.
  static let processingDelay: Duration = .milliseconds(1500)

  /// The independent consumer's groups end so; the lab's traffic leaves them alone.
  static let independentSuffix = "-independent"

  private init(settings: DemoSettings, lab: Lab, mirrors: [LabMirror], etcd: EtcdMembers?) async throws {
    self.settings = settings
    self.lab = lab
    self.etcd = etcd
    let (url, serving) = try await LabControlServer(lab: lab, mirrors: mirrors, etcd: etcd).start(
      host: "127.0.0.1", port: 0)
    labURL = url
    servers = [serving]
    replicating = mirrors.map { m in Task { await m.run() } }
  }

  /// Starts the regions, an MM2-style mirror per flow `mirrorDelay` behind its source (and
  /// etcd members, one per region, when asked), plays `scene` on them and tears down.
  static func play<T>(
    _ settings: DemoSettings, regions: [String] = ["east", "west"], services: [Lab.LabService],
    activeActive: Bool = false, mirrorDelay: Duration?, withEtcd: Bool = false,
    _ scene: (DemoStage) async throws -> T
  ) async throws -> T {
    DemoLogHandler.tearingDown.store(false, ordering: .relaxed)
    let lab = try await Lab.start(
      regions: regions, broker: settings.broker, brokersPerRegion: 1, services: services, activeActive: activeActive)
    var etcd: EtcdMembers? = nil
    let stage: DemoStage
    do {
      if withEtcd { etcd = try await EtcdMembers(count: regions.count, names: regions) }
      stage = try await DemoStage(
        settings: settings, lab: lab, mirrors: try mirrors(for: lab, delay: mirrorDelay), etcd: etcd)
    } catch {
      etcd?.stop()
      lab.stop()
      throw error
    }
    do {
      let result = try await scene(stage)
      await stage.tearDown()
      return result
    } catch {
      await stage.tearDown()
      throw error
    }
  }

  /// An MM2-style mirror per flow of the lab, `delay` behind its source.
  private static func mirrors(for lab: Lab, delay: Duration?) throws -> [LabMirror] {
    var settings = MirrorSettings()
    if let delay { settings.delay = delay }
    return try lab.topology.flows.map { flow in
      try LabMirror(
        flow: flow, topology: lab.topology, topics: lab.services.flatMap(\.topics), groups: lab.allGroups,
        settings: settings, sourceIsUp: { lab.region(flow.source)?.isDown == false })
    }
  }

  /// The traffic first, then each server in reverse order, waiting for each to finish:
  /// returning (and exiting) while a server's connections are still being torn down can
  /// trap in NIO (an async writer dropped unfinished). The traffic is not waited for: a
  /// follower's transfer ends when its server closes it.
  private func tearDown() async {
    // What the servers log about connections cut by the shutdown is not news.
    DemoLogHandler.tearingDown.store(true, ordering: .relaxed)
    for t in tasks { t.cancel() }
    for s in servers.reversed() {
      s.cancel()
      _ = await s.result
    }
    for r in replicating { r.cancel() }
    etcd?.stop()
    lab.stop()
  }

  /// A task the stage cancels when it tears down.
  func keep(_ task: Task<Void, Never>) { tasks.append(task) }

  /// A server the stage stops, and waits for, when it tears down: before the ones started earlier.
  func keepServer(_ task: Task<Void, Error>) { servers.append(task) }

  /// Orders (6 partitions) and payments (3), each with `groupsPerService` consumer groups;
  /// `independent` adds a group per service for the independent consumer
  /// (`orders-independent`), which the orchestrator translates like the others.
  static func services(_ settings: DemoSettings, independent: Bool = false) -> [Lab.LabService] {
    func groups(_ first: String) -> [String] {
      [first] + (1..<max(1, settings.groupsPerService)).map { "\(first)-\($0 + 1)" }
        + (independent ? ["\(first.split(separator: "-")[0])\(independentSuffix)"] : [])
    }
    return [
      Lab.LabService(name: "orders", topics: ["orders"], groups: groups("orders-processor")),
      Lab.LabService(name: "payments", topics: ["payments"], groups: groups("payments-ledger"), partitions: 3),
    ]
  }

  /// A region of the lab by name; the scenarios name only regions they started.
  func region(_ name: String) throws -> SimulatedRegion {
    guard let region = lab.region(name) else { throw DemoError("the lab has no region \(name)") }
    return region
  }

  func newReport() -> DemoReport {
    var report = DemoReport()
    report.scenario = settings.kind
    report.durationSeconds = settings.duration
    report.recordsPerSecond = settings.rate
    report.consumerGroups = settings.groupsPerService * 2
    report.database = settings.database
    return report
  }
}
