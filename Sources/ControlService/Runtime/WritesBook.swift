import Orchestrator

/// The latest findings about writes where they must not be: the standby-writes probe of
/// active-passive services (and, for active-active ones, keys written in several regions).
/// What `/v1/status` and the metrics show.
public actor WritesBook {
  private var standby: [ServiceOnCluster: StandbyWrites] = [:]
  private var conflictReports: [String: ConflictReport] = [:]

  public init() {}

  func update(_ findings: [StandbyWrites], service: String) {
    standby = standby.filter { $0.value.service != service }
    for f in findings { standby[ServiceOnCluster(service: f.service, cluster: f.cluster)] = f }
  }

  func update(_ report: ConflictReport) { conflictReports[report.service] = report }

  public var conflicts: [ConflictReport] { conflictReports.values.sorted { $0.service < $1.service } }

  public var standbyWrites: [StandbyWrites] {
    standby.values.sorted { ($0.service, $0.cluster) < ($1.service, $1.cluster) }
  }
}
