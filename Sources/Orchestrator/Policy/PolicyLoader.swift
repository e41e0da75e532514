import Foundation
import HealthProbes
import Topology
import Yams

/// Reads and validates policy YAML with the same error quality as topologies: every
/// problem at once, each with file, line, column and field path; unknown keys with a
/// "did you mean". A policy with any problem is never returned.
public enum PolicyLoader {
  public static let translationModes = ["auto", "checkpoint", "offset-sync", "timestamp", "identity"]
  public static let webhookEvents = WebhookEvent.allCases.map(\.rawValue)
  static let days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

  /// - Parameter checkQuorum: also refuse a trigger whose vantage quorum a standalone
  ///   topology can never reach (`policy validate --config`; `serve` only warns, since
  ///   tests feed it votes).
  public static func load(path: String, topology: Topology? = nil, checkQuorum: Bool = false) throws -> Policy {
    guard let data = FileManager.default.contents(atPath: path) else {
      let reason = FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file"
      throw ConfigReadError(file: path, reason: reason)
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ConfigReadError(file: path, reason: "not UTF-8 text")
    }
    let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    return try parse(yaml: text, file: path, defaultName: name, topology: topology, checkQuorum: checkQuorum)
  }

  public static func parse(
    yaml: String, file: String, defaultName: String, topology: Topology? = nil, checkQuorum: Bool = false
  ) throws(ConfigError) -> Policy {
    let reader = NodeReader(file: file)
    let root = try YAMLDocument.compose(yaml, file: file)
    guard let top = NodeReader.Mapping(reader, root, path: "") else {
      throw ConfigError(file: file, diagnostics: reader.diagnostics)
    }
    if let version = top.int("version"), version != 1 {
      reader.error(top.value("version"), "version", "unsupported version \(version); this build reads version 1")
    }
    let name = top.string("name") ?? defaultName
    let description = top.string("description")
    var trigger = Policy.Trigger(conditions: [])
    if let t = top.mapping("trigger") {
      trigger = readTrigger(t)
    } else {
      reader.error(root, "trigger", "required field is missing")
    }
    let guards = top.mapping("guards").map(readGuards) ?? Policy.Guards()
    let action = top.mapping("action").map { readAction($0, topology: topology) } ?? Policy.Action()
    var recovery = Policy.Recovery()
    if let r = top.mapping("recovery") {
      recovery.auto = r.bool("auto") ?? false
      if let into = r.oneOf("into", RecoveryTarget.allCases.map(\.rawValue)) {
        recovery.into = RecoveryTarget(rawValue: into)!
      }
      if let q = r.string("quarantineTopic") {
        if q.isEmpty || q.contains(where: { !($0.isLetter || $0.isNumber || "._-{}".contains($0)) }) {
          r.reader.error(
            r.value("quarantineTopic"), r.child("quarantineTopic"),
            "expected a topic name of letters, digits, '.', '_' and '-', with {topic} for the topic's name, found \"\(q)\""
          )
        } else {
          recovery.quarantineTopic = q
        }
      }
      r.finish()
    }
    let drill = top.mapping("drill").map { readDrill($0, topology: topology) } ?? DrillSettings()
    top.finish()
    if checkQuorum, let topology, let problem = standaloneQuorumProblem(trigger, topology) {
      let path = trigger.quorum != nil ? "trigger.quorum" : "trigger"
      reader.error(at: reader.location(of: path) ?? SourceLocation(line: 1, column: 1), path, problem)
    }
    try YAMLDocument.check(reader, file: file)
    return Policy(
      name: name, description: description, trigger: trigger, guards: guards, action: action, recovery: recovery,
      drill: drill)
  }

  /// `drill:` — schedule (cron, UTC), window, maxDuration, backAfter, to, maxRTO,
  /// maxLagRecords, interval.
  private static func readDrill(_ m: NodeReader.Mapping, topology: Topology?) -> DrillSettings {
    defer { m.finish() }
    var d = DrillSettings()
    if let text = m.string("schedule") {
      do {
        d.schedule = try CronSchedule(text)
      } catch {
        m.reader.error(m.value("schedule"), m.child("schedule"), "\(error) (cron, UTC), found \"\(text)\"")
      }
    }
    if let w = positiveDuration(m, "window") { d.window = w }
    if let x = positiveDuration(m, "maxDuration") { d.maxDuration = x }
    if let b = positiveDuration(m, "backAfter") { d.backAfter = b }
    if let r = positiveDuration(m, "maxRTO") { d.maxRTO = r }
    if let i = positiveDuration(m, "interval") {
      if i < .milliseconds(10) {
        m.reader.error(m.value("interval"), m.child("interval"), "must be at least 10ms (one canary record each)")
      } else {
        d.interval = i
      }
    }
    if let n = m.int("maxLagRecords") {
      if n < 0 {
        m.reader.error(m.value("maxLagRecords"), m.child("maxLagRecords"), "must be zero or more records")
      } else {
        d.maxLagRecords = Int64(n)
      }
    }
    if let to = m.string("to") {
      if let topology, topology.cluster(to) == nil {
        let hint =
          suggestion(for: to, among: topology.clusters.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
        m.reader.error(m.value("to"), m.child("to"), "unknown cluster \"\(to)\"\(hint)")
      } else {
        d.target = to
      }
    }
    if d.backAfter >= d.maxDuration {
      m.reader.error(
        m.value("backAfter") ?? m.node, m.child("backAfter"),
        "must be shorter than maxDuration (\(DurationText.format(d.maxDuration))): the drill must have time to come back"
      )
    }
    return d
  }

  /// A standalone orchestrator is one vantage point: a trigger that needs more to agree
  /// that a cluster is down could never fire, which an operator must hear before relying on it.
  public static func standaloneQuorumProblem(_ trigger: Policy.Trigger, _ topology: Topology) -> String? {
    let needed = trigger.quorum ?? topology.probes.quorum
    guard topology.controlPlane == nil, needed > 1 else { return nil }
    let judged = trigger.conditions.contains {
      switch $0 {
      case .clusterUnreachable, .probeFailing: true
      case .lagAbove: false
      }
    }
    guard judged else { return nil }
    return
      "quorum \(needed) needs \(needed) vantage points to agree, but this topology runs one orchestrator "
      + "(standalone, no controlPlane): the trigger could never fire. Set quorum: 1, or run coordinated "
      + "orchestrators in \(needed) or more regions (docs/high-availability.md)"
  }

  private static func readTrigger(_ m: NodeReader.Mapping) -> Policy.Trigger {
    defer { m.finish() }
    let any = m.sequence("any")
    let all = m.sequence("all")
    let quorum = m.int("quorum")
    if let q = quorum, q < 1 { m.reader.error(m.value("quorum"), m.child("quorum"), "must be at least 1") }
    let sameRegion =
      m.oneOf("sameRegionVotes", SameRegionVotes.allCases.map(\.rawValue)).flatMap(SameRegionVotes.init) ?? .ignore
    switch (any, all) {
    case (nil, nil):
      m.reader.error(m.node, m.child("any"), "a trigger needs `any:` or `all:` with at least one condition")
      return Policy.Trigger(conditions: [], quorum: quorum, sameRegionVotes: sameRegion)
    case (.some, .some):
      m.reader.error(m.value("all"), m.child("all"), "give either `any:` or `all:`, not both")
      return Policy.Trigger(conditions: [], quorum: quorum, sameRegionVotes: sameRegion)
    default:
      let combine: Policy.Trigger.Combine = any != nil ? .any : .all
      let items = any ?? all ?? []
      if items.isEmpty { m.reader.error(m.node, m.child(combine.rawValue), "needs at least one condition") }
      return Policy.Trigger(
        combine: combine, conditions: items.compactMap { readCondition(m.reader, $0, $1) }, quorum: quorum,
        sameRegionVotes: sameRegion)
    }
  }

  private static func readCondition(_ r: NodeReader, _ node: Node, _ path: String) -> Policy.Condition? {
    let kinds = ["clusterUnreachable", "probeFailing", "lagAbove"]
    guard case .mapping(let mapping) = node, mapping.count == 1, case .scalar(let key)? = mapping.keys.first,
      let value = mapping.values.first
    else {
      r.error(
        node, path,
        "expected one condition, e.g. `clusterUnreachable: {for: 15s}` (one of \(kinds.joined(separator: ", ")))")
      return nil
    }
    let p = "\(path).\(key.string)"
    guard kinds.contains(key.string) else {
      let hint = suggestion(for: key.string, among: kinds).map { " (did you mean \"\($0)\"?)" } ?? ""
      r.error(node, p, "unknown condition\(hint); conditions: \(kinds.joined(separator: ", "))")
      return nil
    }
    guard let m = NodeReader.Mapping(r, value, path: p) else { return nil }
    defer { m.finish() }
    // Zero is allowed: the health model's hysteresis already needs several failed rounds.
    if m.value("for") == nil { r.error(m.node, m.child("for"), "required field is missing") }
    let duration = duration(m, "for")
    switch key.string {
    case "clusterUnreachable":
      return duration.map { .clusterUnreachable(for: $0) }
    case "probeFailing":
      let kind = m.oneOf("kind", ProbeKind.allCases.map(\.rawValue)).flatMap(ProbeKind.init(rawValue:))
      if m.value("kind") == nil { r.error(m.node, m.child("kind"), "required field is missing") }
      guard let kind, let duration else { return nil }
      return .probeFailing(kind: kind, for: duration)
    default:
      let records = m.int("records")
      if records == nil, m.value("records") == nil { r.error(m.node, m.child("records"), "required field is missing") }
      if let n = records, n < 0 { r.error(m.value("records"), m.child("records"), "must not be negative") }
      guard let records, records >= 0, let duration else { return nil }
      return .lagAbove(records: Int64(records), for: duration)
    }
  }

  private static func readGuards(_ m: NodeReader.Mapping) -> Policy.Guards {
    defer { m.finish() }
    var g = Policy.Guards()
    if let n = m.int("maxLagRecords") {
      if n < 0 {
        m.reader.error(m.value("maxLagRecords"), m.child("maxLagRecords"), "must not be negative")
      } else {
        g.maxLagRecords = Int64(n)
      }
    }
    g.maxCheckpointAge = positiveDuration(m, "maxCheckpointAge")
    g.healthyTarget = m.bool("healthyTarget") ?? g.healthyTarget
    if let d = duration(m, "cooldown") { g.cooldown = d }
    if let rate = m.mapping("maxFailovers") {
      if let c = rate.int("count") {
        if c < 1 {
          m.reader.error(rate.value("count"), rate.child("count"), "must be at least 1")
        } else {
          g.maxFailovers = c
        }
      } else if rate.value("count") == nil {
        m.reader.error(rate.node, rate.child("count"), "required field is missing")
      }
      if let w = positiveDuration(rate, "per", required: true) { g.window = w }
      rate.finish()
    }
    for (node, path) in m.sequence("blackouts") ?? [] {
      guard let b = NodeReader.Mapping(m.reader, node, path: path) else { continue }
      defer { b.finish() }
      var days: [Int] = []
      for (day, _) in b.stringList("days") ?? [] {
        if let i = Self.days.firstIndex(of: day.lowercased()) {
          days.append(i + 1)
        } else {
          m.reader.error(
            b.value("days"), b.child("days"), "\"\(day)\" is not a day: \(Self.days.joined(separator: ", "))")
        }
      }
      let from = clock(b, "from")
      let to = clock(b, "to")
      if let from, let to { g.blackouts.append(Policy.Blackout(days: days, from: from, to: to)) }
    }
    if let a = m.oneOf("approval", Policy.Approval.allCases.map(\.rawValue)) {
      g.approval = Policy.Approval(rawValue: a)!
    }
    return g
  }

  private static func readAction(_ m: NodeReader.Mapping, topology: Topology?) -> Policy.Action {
    defer { m.finish() }
    var a = Policy.Action()
    if let v = m.value("target") {
      if case .scalar(let s) = v {
        if s.string == "best-standby" {
          a.target = .bestStandby
        } else {
          m.reader.error(
            v, m.child("target"), "expected best-standby or {prefer: [cluster, ...]}, found \"\(s.string)\"")
        }
      } else if let t = NodeReader.Mapping(m.reader, v, path: m.child("target")) {
        let prefer = (t.stringList("prefer") ?? []).map(\.0)
        if prefer.isEmpty { m.reader.error(v, t.child("prefer"), "needs at least one cluster") }
        if let topology {
          for c in prefer where topology.cluster(c) == nil {
            let hint =
              suggestion(for: c, among: topology.clusters.map(\.name)).map { " (did you mean \"\($0)\"?)" } ?? ""
            m.reader.error(t.value("prefer"), t.child("prefer"), "unknown cluster \"\(c)\"\(hint)")
          }
        }
        a.target = .preferred(prefer)
        t.finish()
      }
    }
    if let mode = m.oneOf("translation", translationModes) { a.translation = mode }
    if let v = m.value("fence") {
      if case .scalar = v {
        a.fence = m.bool("fence") ?? a.fence
      } else if let f = NodeReader.Mapping(m.reader, v, path: m.child("fence")) {
        a.fence = f.bool("enabled") ?? true
        a.waitForLeases = f.bool("waitForLeases") ?? false
        if a.waitForLeases && !a.fence {
          m.reader.error(
            f.value("waitForLeases"), f.child("waitForLeases"),
            "waiting for client leases needs fencing: the leases run out from the fence (set enabled: true)")
        }
        f.finish()
      }
    }
    if let d = positiveDuration(m, "drainTimeout") { a.drainTimeout = d }
    if let r = m.oneOf("replication", Policy.Action.Replication.allCases.map(\.rawValue)) {
      a.replication = Policy.Action.Replication(rawValue: r)!
    }
    if let o = m.oneOf("onOffsetWriteFailure", Policy.Action.OffsetWriteFailure.allCases.map(\.rawValue)) {
      a.onOffsetWriteFailure = Policy.Action.OffsetWriteFailure(rawValue: o)!
    }
    for (node, path) in m.sequence("notify") ?? [] {
      guard let n = NodeReader.Mapping(m.reader, node, path: path) else { continue }
      defer { n.finish() }
      let url = n.string("webhook", required: true)
      if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
        m.reader.error(n.value("webhook"), n.child("webhook"), "expected an http:// or https:// URL, found \"\(url)\"")
      }
      var events: [WebhookEvent] = []
      for (e, _) in n.stringList("events") ?? [] {
        if let event = WebhookEvent(rawValue: e) {
          events.append(event)
        } else {
          let hint = suggestion(for: e, among: webhookEvents).map { " (did you mean \"\($0)\"?)" } ?? ""
          m.reader.error(
            n.value("events"), n.child("events"),
            "\"\(e)\" is not an event\(hint): \(webhookEvents.joined(separator: ", "))")
        }
      }
      if let url { a.webhooks.append(Policy.Webhook(url: url, events: events)) }
    }
    return a
  }

  private static func duration(_ m: NodeReader.Mapping, _ key: String) -> Duration? {
    guard let text = m.string(key) else { return nil }
    guard let d = DurationText.parse(text) else {
      m.reader.error(m.value(key), m.child(key), "expected a duration such as 500ms, 15s, 10m or 1h, found \"\(text)\"")
      return nil
    }
    return d
  }

  private static func positiveDuration(_ m: NodeReader.Mapping, _ key: String, required: Bool = false) -> Duration? {
    if required, m.value(key) == nil {
      m.reader.error(m.node, m.child(key), "required field is missing")
      return nil
    }
    guard let d = duration(m, key) else { return nil }
    guard d > .zero else {
      m.reader.error(m.value(key), m.child(key), "must be longer than zero")
      return nil
    }
    return d
  }

  /// `HH:MM` (UTC) as minutes after midnight.
  private static func clock(_ m: NodeReader.Mapping, _ key: String) -> Int? {
    guard let text = m.string(key, required: true) else { return nil }
    let parts = text.split(separator: ":").map { Int($0) }
    guard parts.count == 2, let h = parts[0], let min = parts[1], (0..<24).contains(h), (0..<60).contains(min) else {
      m.reader.error(m.value(key), m.child(key), "expected a UTC time HH:MM, found \"\(text)\"")
      return nil
    }
    return h * 60 + min
  }
}
