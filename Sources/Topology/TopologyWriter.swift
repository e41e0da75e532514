import Foundation

/// Writes a topology as YAML that `TopologyLoader` reads back to the same value.
public enum TopologyWriter {
  public static func yaml(_ t: Topology, header: String? = nil) -> String {
    var out: [String] = []
    if let header { out += header.split(separator: "\n", omittingEmptySubsequences: false).map { "# \($0)" } }
    out.append("version: \(TopologyLoader.supportedVersion)")
    out.append("")
    out.append("regions:")
    for r in t.regions {
      out.append("  - name: \(q(r.name))")
      if let d = r.description { out.append("    description: \(q(d))") }
    }
    out.append("")
    out.append("clusters:")
    for c in t.clusters {
      out.append("  - name: \(q(c.name))")
      out.append("    region: \(q(c.region))")
      out.append("    bootstrapServers: \(q(c.bootstrapServers))")
      if !c.properties.isEmpty {
        out.append("    properties:")
        for (k, v) in c.properties.sorted(by: { $0.key < $1.key }) { out.append("      \(q(k)): \(q(v))") }
      }
      if let u = c.connectURL { out.append("    connectUrl: \(q(u))") }
      if let u = c.metricsURL { out.append("    metricsUrl: \(q(u))") }
      if let n = c.expectedBrokers { out.append("    expectedBrokers: \(n)") }
    }
    if !t.flows.isEmpty {
      out.append("")
      out.append("flows:")
      for f in t.flows { out += flow(f) }
    }
    if !t.services.isEmpty {
      out.append("")
      out.append("services:")
      for s in t.services { out += service(s) }
    }
    if let cp = t.controlPlane {
      out += [
        "", "controlPlane:", "  etcd:", "    endpoints: [\(cp.endpoints.map(q).joined(separator: ", "))]",
        "    prefix: \(q(cp.prefix))", "  leaseTTL: \(Int(cp.leaseTTL / .seconds(1)))s",
      ]
    }
    return out.joined(separator: "\n") + "\n"
  }

  private static func flow(_ f: Flow) -> [String] {
    var out = [
      "  - source: \(q(f.source))", "    target: \(q(f.target))",
      "    replicationPolicy: \(f.replicationPolicy.rawValue)", "    separator: \(q(f.separator))",
    ]
    if f.sourceAlias != f.source { out.append("    sourceAlias: \(q(f.sourceAlias))") }
    if f.targetAlias != f.target { out.append("    targetAlias: \(q(f.targetAlias))") }
    out.append("    topics: \(q(f.topicsPattern))")
    out.append("    groups: \(q(f.groupsPattern))")
    out.append("    offsetSyncsTopicLocation: \(f.offsetSyncsLocation.rawValue)")
    if let u = f.connectURL { out.append("    connectUrl: \(q(u))") }
    if let c = f.canary {
      out += [
        "    canary:", "      topic: \(q(c.topic))", "      interval: \(DurationText.format(c.interval))",
        "      timeout: \(DurationText.format(c.timeout))",
      ]
    }
    if f.connectors != MM2Connectors() {
      out += [
        "    connectors:", "      source: \(q(f.connectors.source))",
        "      checkpoint: \(q(f.connectors.checkpoint))", "      heartbeat: \(q(f.connectors.heartbeat))",
      ]
    }
    let o = f.internalTopics
    if o != InternalTopicOverrides() {
      out.append("    internalTopics:")
      if let v = o.checkpoints { out.append("      checkpoints: \(q(v))") }
      if let v = o.offsetSyncs { out.append("      offsetSyncs: \(q(v))") }
      if let v = o.heartbeats { out.append("      heartbeats: \(q(v))") }
    }
    return out
  }

  private static func service(_ s: Service) -> [String] {
    var out = ["  - name: \(q(s.name))", "    mode: \(s.mode.rawValue)"]
    if s.mode == .activeActive {
      out.append("    clusters: [\(s.clusters.map(q).joined(separator: ", "))]")
      if !s.homes.isEmpty { out.append("    homes:") }
      for h in s.homes {
        out += ["      - region: \(q(h.region))", "        cluster: \(q(h.cluster))"]
        if !h.peers.isEmpty { out.append("        peers: [\(h.peers.map(q).joined(separator: ", "))]") }
        if !h.consumerGroups.isEmpty {
          out.append("        consumerGroups: [\(h.consumerGroups.map(q).joined(separator: ", "))]")
        }
      }
    } else {
      out += ["    primary: \(q(s.primary))", "    standbys: [\(s.standbys.map(q).joined(separator: ", "))]"]
    }
    if !s.topics.isEmpty { out.append("    topics: [\(s.topics.map(q).joined(separator: ", "))]") }
    if let p = s.topicPattern { out.append("    topicPattern: \(q(p))") }
    if !s.consumerGroups.isEmpty {
      out.append("    consumerGroups: [\(s.consumerGroups.map(q).joined(separator: ", "))]")
    }
    if let p = s.groupPattern { out.append("    groupPattern: \(q(p))") }
    if let p = s.policy { out.append("    policy: \(q(p))") }
    if s.leaseSeconds != Service.defaultLeaseSeconds { out.append("    leaseSeconds: \(s.leaseSeconds)") }
    if let c = s.conflictReport {
      out += [
        "    conflictReport:", "      window: \(Int(c.window / .seconds(1)))s", "      sample: \(c.sample)",
        "      maxKeys: \(c.maxKeys)",
      ]
    }
    return out
  }

  /// A double-quoted YAML scalar: always a string, whatever it contains.
  static func q(_ s: String) -> String {
    var r = "\""
    for ch in s.unicodeScalars {
      switch ch {
      case "\"": r += "\\\""
      case "\\": r += "\\\\"
      case "\n": r += "\\n"
      case "\t": r += "\\t"
      default:
        if ch.value < 0x20 { r += String(format: "\\x%02X", ch.value) } else { r.unicodeScalars.append(ch) }
      }
    }
    return r + "\""
  }
}
