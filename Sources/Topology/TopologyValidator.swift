import Foundation

/// Cross-reference checks that need the whole file: names resolve, nothing is defined
/// twice, every service can actually fail over.
struct TopologyValidator {
  let reader: NodeReader
  let topology: Topology
  let regionPaths: [String]
  let clusterPaths: [String]
  let flowPaths: [String]
  let servicePaths: [String]

  private static let namePattern = try! NSRegularExpression(pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$")

  func validate() {
    checkNames(topology.regions.map(\.name), paths: regionPaths, kind: "region")
    checkNames(topology.clusters.map(\.name), paths: clusterPaths, kind: "cluster")
    checkNames(topology.services.map(\.name), paths: servicePaths, kind: "service")
    for (cluster, path) in zip(topology.clusters, clusterPaths) { checkCluster(cluster, path) }
    var seenFlows: [String: String] = [:]
    for (flow, path) in zip(topology.flows, flowPaths) {
      checkFlow(flow, path)
      if let first = seenFlows[flow.name] {
        error("\(path).source", "flow \(flow.name) is defined twice (first at \(first))")
      } else {
        seenFlows[flow.name] = path
      }
    }
    for (service, path) in zip(topology.services, servicePaths) { checkService(service, path) }
    let subjects = Set(topology.clusters.map(\.name) + topology.flows.map(\.name))
    for (i, h) in topology.probes.http.enumerated() {
      checkSubject(h.subject, "probes.http[\(i)].subject", subjects)
      checkURL(h.url, "probes.http[\(i)].url")
    }
    for (i, p) in topology.probes.prometheus.enumerated() {
      checkSubject(p.subject, "probes.prometheus[\(i)].subject", subjects)
      checkURL(p.url, "probes.prometheus[\(i)].url")
    }
  }

  /// A probe speaks for a cluster or a flow the topology defines.
  private func checkSubject(_ subject: String, _ path: String, _ known: Set<String>) {
    guard !known.contains(subject) else { return }
    let hint = suggestion(for: subject, among: Array(known)).map { "; did you mean \"\($0)\"?" } ?? ""
    error(path, "unknown subject \"\(subject)\"\(hint): a probe speaks for a cluster or a flow (SOURCE->TARGET)")
  }

  private func error(_ path: String, _ message: String) {
    let location = reader.location(of: path) ?? reader.location(of: parent(path)) ?? SourceLocation(line: 1, column: 1)
    reader.error(at: location, path, message)
  }

  private func parent(_ path: String) -> String {
    guard let dot = path.lastIndex(of: ".") else { return path }
    return String(path[..<dot])
  }

  private func checkNames(_ names: [String], paths: [String], kind: String) {
    var seen: [String: String] = [:]
    for (name, path) in zip(names, paths) {
      let range = NSRange(name.startIndex..., in: name)
      if Self.namePattern.firstMatch(in: name, range: range) == nil {
        error("\(path).name", "\(kind) name \"\(name)\" may contain only letters, digits, '.', '_' and '-'")
      }
      if let first = firstLocation(seen[name]) {
        error("\(path).name", "duplicate \(kind) name \"\(name)\" (first defined at line \(first.line))")
      } else {
        seen[name] = "\(path).name"
      }
    }
  }

  private func firstLocation(_ path: String?) -> SourceLocation? {
    guard let path else { return nil }
    return reader.location(of: path) ?? SourceLocation(line: 1, column: 1)
  }

  private func requireCluster(_ name: String, at path: String) -> Bool {
    guard topology.cluster(name) == nil else { return true }
    let known = topology.clusters.map(\.name)
    let hint = suggestion(for: name, among: known).map { "; did you mean \"\($0)\"?" } ?? ""
    error(path, "unknown cluster \"\(name)\"\(hint) (known: \(known.joined(separator: ", ")))")
    return false
  }

  private func checkCluster(_ cluster: Cluster, _ path: String) {
    if !cluster.region.isEmpty, !topology.regions.contains(where: { $0.name == cluster.region }) {
      let known = topology.regions.map(\.name)
      let hint = suggestion(for: cluster.region, among: known).map { "; did you mean \"\($0)\"?" } ?? ""
      error("\(path).region", "unknown region \"\(cluster.region)\"\(hint) (known: \(known.joined(separator: ", ")))")
    }
    for server in cluster.bootstrapServers.isEmpty
      ? [] : cluster.bootstrapServers.split(separator: ",", omittingEmptySubsequences: false)
    {
      let s = server.trimmingCharacters(in: .whitespaces)
      let hostPort = s.split(separator: "://").last.map(String.init) ?? s
      guard let colon = hostPort.lastIndex(of: ":"), colon != hostPort.startIndex,
        let port = Int(hostPort[hostPort.index(after: colon)...]), (1...65535).contains(port)
      else {
        error("\(path).bootstrapServers", "\"\(s)\" is not host:port (a comma-separated list of host:port is expected)")
        continue
      }
    }
    for (key, value) in cluster.properties.sorted(by: { $0.key < $1.key }) {
      let propertyPath = "\(path).properties.\(key)"
      if key == "bootstrap.servers" {
        error(propertyPath, "set the cluster's bootstrapServers field instead of the bootstrap.servers property")
      }
      do { _ = try SecretReference.references(in: value) } catch { self.error(propertyPath, error.message) }
    }
    checkURL(cluster.connectURL, "\(path).connectUrl")
    checkURL(cluster.metricsURL, "\(path).metricsUrl")
  }

  private func checkURL(_ url: String?, _ path: String) {
    guard let url else { return }
    guard let u = URL(string: url), let scheme = u.scheme, ["http", "https"].contains(scheme), u.host != nil else {
      error(path, "\"\(url)\" is not an http:// or https:// URL")
      return
    }
  }

  private func checkRegex(_ pattern: String?, _ path: String) {
    guard let pattern else { return }
    do { _ = try NSRegularExpression(pattern: pattern) } catch {
      self.error(path, "invalid regular expression \"\(pattern)\"")
    }
  }

  private func checkFlow(_ flow: Flow, _ path: String) {
    let sourceKnown = requireCluster(flow.source, at: "\(path).source")
    let targetKnown = requireCluster(flow.target, at: "\(path).target")
    if sourceKnown, targetKnown, flow.source == flow.target {
      error("\(path).target", "a flow's target must differ from its source (\(flow.source))")
    }
    if flow.separator.isEmpty { error("\(path).separator", "separator must not be empty") }
    checkRegex(flow.topicsPattern, "\(path).topics")
    checkRegex(flow.groupsPattern, "\(path).groups")
    checkURL(flow.connectURL, "\(path).connectUrl")
  }

  private func checkService(_ service: Service, _ path: String) {
    if service.mode == .activeActive {
      checkActiveActive(service, path)
    } else {
      checkActivePassive(service, path)
    }
    if service.topics.isEmpty, service.topicPattern == nil {
      error("\(path).topics", "a service needs topics (a list) or a topicPattern")
    }
    checkRegex(service.topicPattern, "\(path).topicPattern")
    checkRegex(service.groupPattern, "\(path).groupPattern")
  }

  private func checkActivePassive(_ service: Service, _ path: String) {
    let primaryKnown = requireCluster(service.primary, at: "\(path).primary")
    if service.standbys.isEmpty {
      error("\(path).standbys", "a service needs at least one standby cluster to fail over to")
    }
    var seen: Set<String> = []
    for (i, standby) in service.standbys.enumerated() {
      let standbyPath = "\(path).standbys[\(i)]"
      guard requireCluster(standby, at: standbyPath) else { continue }
      if standby == service.primary {
        error(standbyPath, "\"\(standby)\" is the primary; a standby must be another cluster")
        continue
      }
      if !seen.insert(standby).inserted { error(standbyPath, "standby \"\(standby)\" is listed twice") }
      if primaryKnown { checkReplication(service, from: service.primary, to: standby, standbyPath) }
    }
  }

  /// Every pair of clusters replicates both ways, covering the topics (each region's
  /// clients read the others' writes, and move to any of them); every home is in a known
  /// region and on one of the service's clusters.
  private func checkActiveActive(_ service: Service, _ path: String) {
    let written = reader.location(of: "\(path).clusters") != nil
    func clusterPath(_ i: Int) -> String {
      written ? "\(path).clusters[\(i)]" : (i == 0 ? "\(path).primary" : "\(path).standbys[\(i - 1)]")
    }
    let clusters = service.clusters
    if clusters.count < 2 {
      error(
        written ? "\(path).clusters" : "\(path).standbys",
        "an active-active service needs at least two clusters, each taking its region's writes")
    }
    var known: [(Int, String)] = []
    for (i, c) in clusters.enumerated() {
      guard requireCluster(c, at: clusterPath(i)) else { continue }
      if known.contains(where: { $0.1 == c }) {
        error(clusterPath(i), "cluster \"\(c)\" is listed twice")
        continue
      }
      known.append((i, c))
    }
    for (i, a) in known {
      for (_, b) in known where a != b {
        checkReplication(service, from: b, to: a, clusterPath(i))
      }
    }
    var seenRegions: [String: Int] = [:]
    let regionNames = topology.regions.map(\.name)
    for (i, home) in service.homes.enumerated() where home.location != nil {
      let homePath = "\(path).homes[\(i)]"
      guard regionNames.contains(home.region) else {
        let hint = suggestion(for: home.region, among: regionNames).map { "; did you mean \"\($0)\"?" } ?? ""
        error(
          "\(homePath).region",
          "unknown region \"\(home.region)\"\(hint) (known: \(regionNames.joined(separator: ", ")))")
        continue
      }
      if let first = seenRegions[home.region] {
        error("\(homePath).region", "region \"\(home.region)\" has a home already (homes[\(first)])")
      }
      seenRegions[home.region] = i
      if home.cluster.isEmpty {
        let here = clusters.filter { topology.cluster($0)?.region == home.region }
        error(
          "\(homePath).region",
          here.isEmpty
            ? "no cluster of \(service.name) is in region \(home.region): name the home cluster (cluster: NAME)"
            : "region \(home.region) holds \(here.count) clusters of \(service.name) (\(here.joined(separator: ", "))): "
              + "name the home cluster (cluster: NAME)")
      } else if !clusters.contains(home.cluster) {
        error(
          "\(homePath).cluster",
          "\"\(home.cluster)\" is not a cluster of \(service.name) (its clusters: \(clusters.joined(separator: ", ")))")
      }
      for (j, peer) in home.peers.enumerated() where !clusters.contains(peer) || peer == home.cluster {
        error(
          "\(homePath).peers[\(j)]",
          peer == home.cluster
            ? "\"\(peer)\" is the home itself; peers are where the region's clients go when it fails"
            : "\"\(peer)\" is not a cluster of \(service.name) (its clusters: \(clusters.joined(separator: ", ")))")
      }
    }
    // A region with several of the service's clusters and no home named stays ambiguous.
    for region in regionNames where !service.homes.contains(where: { $0.region == region }) {
      let here = clusters.filter { topology.cluster($0)?.region == region }
      if here.count > 1 {
        error(
          written ? "\(path).clusters" : "\(path).primary",
          "region \(region) holds \(here.count) clusters of \(service.name) (\(here.joined(separator: ", "))): "
            + "name its home under homes")
      }
    }
    if service.homes.isEmpty, clusters.count >= 2 {
      error(written ? "\(path).clusters" : "\(path).primary", "no client region has a home cluster")
    }
  }

  /// A standby that nothing replicates to would take over with no data: an error, not a
  /// surprise during a failover.
  private func checkReplication(_ service: Service, from source: String, to target: String, _ path: String) {
    guard let flow = topology.flow(from: source, to: target) else {
      error(path, "no flow replicates \(source) -> \(target); add one under flows so \"\(target)\" has the data")
      return
    }
    guard let regex = try? NSRegularExpression(pattern: "^(?:\(flow.topicsPattern))$") else { return }
    for topic in service.topics {
      let range = NSRange(topic.startIndex..., in: topic)
      if regex.firstMatch(in: topic, range: range) == nil {
        error(
          path,
          "topic \"\(topic)\" is not replicated by flow \(flow.name) (its topics pattern is \"\(flow.topicsPattern)\")")
      }
    }
  }
}
