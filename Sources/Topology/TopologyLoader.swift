import Foundation
import Yams

/// A topology read from a file, with the text it came from (for snapshots).
public struct LoadedTopology: Sendable {
  public let topology: Topology
  public let file: String
  public let text: String
}

/// Reads and validates topology YAML. Reports every problem at once, each with its file,
/// line, column and field path; a topology with any problem is never returned.
public enum TopologyLoader {
  public static let supportedVersion = 1

  public static func load(path: String) throws -> LoadedTopology {
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
      throw ConfigReadError(file: path, reason: reason)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigReadError(file: path, reason: "not UTF-8 text")
    }
    return LoadedTopology(topology: try parse(yaml: text, file: path), file: path, text: text)
  }

  public static func parse(yaml: String, file: String) throws(ConfigError) -> Topology {
    let reader = NodeReader(file: file)
    let root = try YAMLDocument.compose(yaml, file: file)
    guard let top = NodeReader.Mapping(reader, root, path: "") else {
      throw ConfigError(file: file, diagnostics: reader.diagnostics)
    }
    if let version = top.int("version"), version != supportedVersion {
      reader.error(
        top.value("version"), "version", "unsupported version \(version); this build reads version \(supportedVersion)")
    }
    let regions = (top.sequence("regions", required: true) ?? []).compactMap { n, p in
      readRegion(reader, n, p).map { ($0, p) }
    }
    let clusters = (top.sequence("clusters", required: true) ?? []).compactMap { n, p in
      readCluster(reader, n, p).map { ($0, p) }
    }
    let flows = (top.sequence("flows") ?? []).compactMap { n, p in readFlow(reader, n, p).map { ($0, p) } }
    let services = (top.sequence("services") ?? []).compactMap { n, p in readService(reader, n, p).map { ($0, p) } }
    let probes = top.mapping("probes").map { ProbeSettingsReader.read($0) } ?? ProbeSettings()
    let api = top.mapping("api").map { APISettingsReader.read($0) } ?? APISettings()
    let controlPlane = top.mapping("controlPlane").flatMap { ControlPlaneSettingsReader.read($0) }
    top.finish()
    let topology = Topology(
      regions: regions.map(\.0), clusters: clusters.map(\.0), flows: flows.map(\.0),
      services: withDefaultHomes(services.map(\.0), clusters: clusters.map(\.0), regions: regions.map(\.0)),
      probes: probes, api: api, controlPlane: controlPlane)
    TopologyValidator(
      reader: reader, topology: topology, regionPaths: regions.map(\.1), clusterPaths: clusters.map(\.1),
      flowPaths: flows.map(\.1), servicePaths: services.map(\.1)
    ).validate()
    try YAMLDocument.check(reader, file: file)
    return topology
  }

  private static func readRegion(_ r: NodeReader, _ node: Node, _ path: String) -> Region? {
    guard let m = NodeReader.Mapping(r, node, path: path) else { return nil }
    defer { m.finish() }
    guard let name = m.string("name", required: true) else { return nil }
    return Region(name: name, description: m.string("description"), location: m.keyLocation("name"))
  }

  private static func readCluster(_ r: NodeReader, _ node: Node, _ path: String) -> Cluster? {
    guard let m = NodeReader.Mapping(r, node, path: path) else { return nil }
    defer { m.finish() }
    let name = m.string("name", required: true)
    let region = m.string("region", required: true)
    let bootstrap = m.string("bootstrapServers", required: true)
    let properties = m.stringMap("properties") ?? [:]
    let connect = m.string("connectUrl")
    let metrics = m.string("metricsUrl")
    let expectedBrokers = m.int("expectedBrokers")
    if let n = expectedBrokers, n < 1 {
      r.error(m.value("expectedBrokers"), m.child("expectedBrokers"), "must be at least 1")
    }
    // Kept with blanks when a field is missing (already reported) so that references to
    // this cluster and its other fields are still checked.
    guard let name else { return nil }
    return Cluster(
      name: name, region: region ?? "", bootstrapServers: bootstrap ?? "", properties: properties, connectURL: connect,
      metricsURL: metrics, expectedBrokers: expectedBrokers, location: m.keyLocation("name"))
  }

  private static func readFlow(_ r: NodeReader, _ node: Node, _ path: String) -> Flow? {
    guard let m = NodeReader.Mapping(r, node, path: path) else { return nil }
    defer { m.finish() }
    let source = m.string("source", required: true)
    let target = m.string("target", required: true)
    let policy = m.oneOf("replicationPolicy", ReplicationPolicy.allCases.map(\.rawValue)).flatMap(
      ReplicationPolicy.init)
    let separator = m.string("separator")
    let sourceAlias = m.string("sourceAlias")
    let targetAlias = m.string("targetAlias")
    let connectURL = m.string("connectUrl")
    let topics = m.string("topics")
    let groups = m.string("groups")
    let location = m.oneOf("offsetSyncsTopicLocation", OffsetSyncsLocation.allCases.map(\.rawValue))
      .flatMap(OffsetSyncsLocation.init)
    var connectors = MM2Connectors()
    if let c = m.mapping("connectors") {
      connectors = MM2Connectors(
        source: c.string("source") ?? connectors.source, checkpoint: c.string("checkpoint") ?? connectors.checkpoint,
        heartbeat: c.string("heartbeat") ?? connectors.heartbeat)
      c.finish()
    }
    var overrides = InternalTopicOverrides()
    if let t = m.mapping("internalTopics") {
      overrides = InternalTopicOverrides(
        checkpoints: t.string("checkpoints"), offsetSyncs: t.string("offsetSyncs"), heartbeats: t.string("heartbeats"))
      t.finish()
    }
    var canary: FlowCanary? = nil
    var canaryNode: Node? = nil
    if let c = m.mapping("canary") {
      canaryNode = c.value("topic") ?? m.value("canary")
      var settings = FlowCanary()
      if let t = c.string("topic") { settings.topic = t }
      if let d = ProbeSettingsReader.duration(c, "interval") { settings.interval = d }
      if let d = ProbeSettingsReader.duration(c, "timeout") { settings.timeout = d }
      canary = settings
      c.finish()
    }
    guard let source, let target else { return nil }
    let flow = Flow(
      source: source, target: target, replicationPolicy: policy ?? .default, separator: separator ?? ".",
      sourceAlias: sourceAlias, targetAlias: targetAlias, connectors: connectors, connectURL: connectURL,
      topicsPattern: topics ?? ".*", groupsPattern: groups ?? ".*", offsetSyncsLocation: location ?? .source,
      internalTopics: overrides, canary: canary, location: m.keyLocation("source"))
    if let canary, (try? Regex(flow.topicsPattern)) != nil, !flow.replicates(topic: canary.topic) {
      r.error(
        canaryNode, "\(path).canary.topic",
        "\(canary.topic) is not replicated by this flow (topics: \(flow.topicsPattern)): add it to the pattern, "
          + "or the canary's copies never arrive")
    }
    return flow
  }

  private static func readService(_ r: NodeReader, _ node: Node, _ path: String) -> Service? {
    guard let m = NodeReader.Mapping(r, node, path: path) else { return nil }
    defer { m.finish() }
    let name = m.string("name", required: true)
    let mode = m.oneOf("mode", ServiceMode.allCases.map(\.rawValue)).flatMap(ServiceMode.init) ?? .activePassive
    // Active-active names its clusters; active-passive its primary and standbys (also
    // accepted for active-active, the first being the first cluster).
    let clusters = m.stringList("clusters")
    if clusters != nil, mode == .activePassive {
      r.error(
        m.value("clusters"), m.child("clusters"),
        "clusters is for active-active services; an active-passive service names primary and standbys")
    }
    let primary = m.string("primary", required: mode == .activePassive || clusters == nil)
    if clusters != nil, m.value("primary") != nil || m.value("standbys") != nil {
      r.error(
        m.value("primary") ?? m.value("standbys"), m.child("primary"),
        "name the clusters either as clusters or as primary and standbys, not both")
    }
    let standbys = m.stringList("standbys")
    let topics = m.stringList("topics")
    let topicPattern = m.string("topicPattern")
    let groups = m.stringList("consumerGroups")
    let groupPattern = m.string("groupPattern")
    let policy = m.string("policy")
    var lease = Service.defaultLeaseSeconds
    if let n = m.int("leaseSeconds") {
      if (1...3600).contains(n) {
        lease = n
      } else {
        m.reader.error(m.value("leaseSeconds"), m.child("leaseSeconds"), "expected seconds from 1 to 3600, found \(n)")
      }
    }
    let homes = (m.sequence("homes") ?? []).compactMap { readHome(r, $0, $1) }
    let conflicts = m.mapping("conflictReport").map(readConflictReport)
    if conflicts != nil, mode == .activePassive {
      r.error(
        m.value("conflictReport"), m.child("conflictReport"),
        "conflictReport is for active-active services; only they take writes in several regions")
    }
    if !homes.isEmpty, mode == .activePassive {
      r.error(
        m.value("homes"), m.child("homes"),
        "homes are for active-active services; an active-passive service has one active cluster for every client")
    }
    guard let name else { return nil }
    let all = clusters.map { $0.map(\.0) } ?? ([primary].compactMap { $0 } + (standbys ?? []).map(\.0))
    guard let first = all.first else { return nil }
    return Service(
      name: name, mode: mode, primary: first, standbys: Array(all.dropFirst()),
      topics: (topics ?? []).map(\.0), topicPattern: topicPattern, consumerGroups: (groups ?? []).map(\.0),
      groupPattern: groupPattern, policy: policy, leaseSeconds: lease, homes: homes, conflictReport: conflicts,
      location: m.keyLocation("name"))
  }

  private static func readConflictReport(_ m: NodeReader.Mapping) -> ConflictReportSettings {
    defer { m.finish() }
    var s = ConflictReportSettings()
    if let text = m.string("window") {
      if let d = DurationText.parse(text), d >= .seconds(1) {
        s.window = d
      } else {
        m.reader.error(
          m.value("window"), m.child("window"), "expected a duration of 1s or more, such as 5m, found \"\(text)\"")
      }
    }
    if let n = m.int("sample") {
      if (1...1_000_000).contains(n) {
        s.sample = n
      } else {
        m.reader.error(
          m.value("sample"), m.child("sample"), "expected 1 (every key) to 1000000 (one key in a million), found \(n)")
      }
    }
    if let n = m.int("maxKeys") {
      if (100...10_000_000).contains(n) {
        s.maxKeys = n
      } else {
        m.reader.error(m.value("maxKeys"), m.child("maxKeys"), "expected 100 to 10000000 keys, found \(n)")
      }
    }
    return s
  }

  /// One entry of an active-active service's `homes`; a missing cluster ("") is filled in
  /// from the region by `withDefaultHomes`.
  private static func readHome(_ r: NodeReader, _ node: Node, _ path: String) -> RegionHome? {
    guard let m = NodeReader.Mapping(r, node, path: path) else { return nil }
    defer { m.finish() }
    let region = m.string("region", required: true)
    let cluster = m.string("cluster")
    let peers = m.stringList("peers")
    let groups = m.stringList("consumerGroups")
    guard let region else { return nil }
    return RegionHome(
      region: region, cluster: cluster ?? "", peers: (peers ?? []).map(\.0), consumerGroups: (groups ?? []).map(\.0),
      location: m.keyLocation("region"))
  }

  /// Active-active services get a home for every region holding exactly one of their
  /// clusters (that cluster) unless `homes` names one; a listed home without a cluster
  /// takes its region's.
  static func withDefaultHomes(_ services: [Service], clusters: [Cluster], regions: [Region]) -> [Service] {
    services.map { s in
      guard s.mode == .activeActive else { return s }
      var s = s
      func only(in region: String) -> String? {
        let here = s.clusters.filter { c in clusters.first { $0.name == c }?.region == region }
        return here.count == 1 ? here[0] : nil
      }
      s.homes = s.homes.map { h in
        var h = h
        if h.cluster.isEmpty { h.cluster = only(in: h.region) ?? "" }
        return h
      }
      for region in regions.map(\.name) where !s.homes.contains(where: { $0.region == region }) {
        if let c = only(in: region) { s.homes.append(RegionHome(region: region, cluster: c)) }
      }
      return s
    }
  }
}
