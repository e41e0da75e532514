import Foundation
import Yams

/// Reads the `probes:` section; every field error carries its line and path.
enum ProbeSettingsReader {
  static func read(_ m: NodeReader.Mapping) -> ProbeSettings {
    defer { m.finish() }
    var s = ProbeSettings()
    if let d = duration(m, "interval") { s.interval = d }
    if let d = duration(m, "timeout") { s.timeout = d }
    if let d = duration(m, "retention") { s.retention = d }
    s.failuresToDown = positive(m, "failuresToDown") ?? s.failuresToDown
    s.successesToUp = positive(m, "successesToUp") ?? s.successesToUp
    s.quorum = positive(m, "quorum") ?? s.quorum
    s.maxConcurrent = positive(m, "maxConcurrent") ?? s.maxConcurrent
    s.canaryTopic = m.string("canaryTopic")
    if let lag = m.mapping("replicationLag") {
      s.replicationLag = LagThresholds(
        maxRecordsBehind: positive(lag, "maxRecordsBehind").map(Int64.init),
        maxHeartbeatAge: duration(lag, "maxHeartbeatAge"),
        maxCheckpointAge: duration(lag, "maxCheckpointAge"))
      lag.finish()
    }
    for (node, path) in m.sequence("http") ?? [] {
      guard let h = NodeReader.Mapping(m.reader, node, path: path) else { continue }
      defer { h.finish() }
      let subject = h.string("subject", required: true)
      let url = h.string("url", required: true)
      var spec = HTTPProbeSpec(subject: subject ?? "", url: url ?? "")
      if let status = h.string("expectStatus") {
        if let range = statusRange(status) {
          spec.expectStatus = range
        } else {
          m.reader.error(
            h.value("expectStatus"), h.child("expectStatus"), "expected a status (200) or a range (200-399)")
        }
      }
      spec.bodyContains = h.string("bodyContains")
      spec.interval = duration(h, "interval")
      if subject != nil, url != nil { s.http.append(spec) }
    }
    for (node, path) in m.sequence("prometheus") ?? [] {
      guard let p = NodeReader.Mapping(m.reader, node, path: path) else { continue }
      defer { p.finish() }
      let subject = p.string("subject", required: true)
      let url = p.string("url", required: true)
      let metric = p.string("metric", required: true)
      let labels = p.stringMap("labels") ?? [:]
      let alertWhen = p.oneOf("alertWhen", [">", ">=", "<", "<=", "==", "!="])
      var threshold: Double? = nil
      if let t = p.string("threshold", required: true) {
        threshold = Double(t)
        if threshold == nil {
          m.reader.error(p.value("threshold"), p.child("threshold"), "expected a number, found \"\(t)\"")
        }
      }
      if p.value("alertWhen") == nil { m.reader.error(p.node, p.child("alertWhen"), "required field is missing") }
      let interval = duration(p, "interval")
      if let subject, let url, let metric, let alertWhen, let threshold {
        s.prometheus.append(
          PrometheusProbeSpec(
            subject: subject, url: url, metric: metric, labels: labels, alertWhen: alertWhen, threshold: threshold,
            interval: interval))
      }
    }
    return s
  }

  static func duration(_ m: NodeReader.Mapping, _ key: String) -> Duration? {
    guard let text = m.string(key) else { return nil }
    guard let d = DurationText.parse(text), d > .zero else {
      m.reader.error(m.value(key), m.child(key), "expected a duration such as 500ms, 5s or 2m, found \"\(text)\"")
      return nil
    }
    return d
  }

  private static func positive(_ m: NodeReader.Mapping, _ key: String) -> Int? {
    guard let n = m.int(key) else { return nil }
    guard n >= 1 else {
      m.reader.error(m.value(key), m.child(key), "must be at least 1")
      return nil
    }
    return n
  }

  private static func statusRange(_ s: String) -> ClosedRange<Int>? {
    let parts = s.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    if parts.count == 1, let a = parts[0], (100...599).contains(a) { return a...a }
    if parts.count == 2, let a = parts[0], let b = parts[1], a <= b, (100...599).contains(a), (100...599).contains(b) {
      return a...b
    }
    return nil
  }
}
