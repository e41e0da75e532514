import Foundation

/// The client configuration `failoverctl watch` writes: what any Kafka client in any
/// language needs to follow the service, in the form its program reads best.
public enum ClientConfiguration {
  public enum Format: String, Sendable, CaseIterable {
    /// Java `.properties`: `bootstrap.servers=...`, the cluster's non-secret properties,
    /// then `failoverctl.*` keys for the rest.
    case properties
    /// Shell `KEY='value'` lines, to `source` or for an env file.
    case env
    /// One JSON object.
    case json
  }

  public static func render(_ s: FollowerState, as format: Format, writtenAt: Date = Date()) -> String {
    let d = s.document
    switch format {
    case .properties:
      return lines(
        s, writtenAt: writtenAt, bootstrapKey: "bootstrap.servers", propertyKey: { escape($0, key: true) },
        fieldKey: { "failoverctl.\($0)" }, value: { escape($0, key: false) })
    case .env:
      return lines(
        s, writtenAt: writtenAt, bootstrapKey: "KAFKA_BOOTSTRAP_SERVERS", propertyKey: { "KAFKA_\(envName($0))" },
        fieldKey: { "FAILOVERCTL_\(envName($0))" }, value: quote)
    case .json:
      var object: [String: Any] = [
        "service": d.service, "epoch": d.epoch, "cluster": d.active.cluster, "region": d.active.region,
        "bootstrapServers": d.active.bootstrapServers, "properties": d.properties, "writable": s.writesAllowed,
        "reason": s.reason, "topics": ["produce": d.topics.produce, "consume": d.topics.consume],
        "consumerGroups": d.consumerGroups, "leaseSeconds": d.leaseSeconds ?? DiscoveryView.defaultLeaseSeconds,
        "writtenAt": stamp(writtenAt),
      ]
      if let region = d.region { object["clientRegion"] = region }
      let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
      return String(decoding: data ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
  }

  /// `KEY=value` lines (properties and env differ only in how keys and values are written):
  /// a comment, the bootstrap servers, the cluster's other properties, then `fields`.
  static func lines(
    _ s: FollowerState, writtenAt: Date, bootstrapKey: String, propertyKey: (String) -> String,
    fieldKey: (String) -> String, value: (String) -> String
  ) -> String {
    let d = s.document
    var lines = [
      "# written by failoverctl watch for service \(d.service) at \(stamp(writtenAt)): \(s.reason)",
      "\(bootstrapKey)=\(value(d.active.bootstrapServers))",
    ]
    for (k, v) in d.properties.sorted(by: { $0.key < $1.key }) where k != "bootstrap.servers" {
      lines.append("\(propertyKey(k))=\(value(v))")
    }
    lines += fields(s).map { "\(fieldKey($0.0))=\(value($0.1))" }
    return lines.joined(separator: "\n") + "\n"
  }

  /// What the file says beyond the cluster's properties, in every format.
  static func fields(_ s: FollowerState) -> [(String, String)] {
    let d = s.document
    return [("service", d.service)] + (d.region.map { [("client.region", $0)] } ?? []) + [
      ("epoch", "\(d.epoch)"), ("cluster", d.active.cluster),
      ("writable", s.writesAllowed ? "true" : "false"), ("topics.produce", d.topics.produce.joined(separator: ",")),
      ("topics.consume", d.topics.consume.joined(separator: ",")),
      ("consumer.groups", d.consumerGroups.joined(separator: ",")),
      ("lease.seconds", "\(d.leaseSeconds ?? DiscoveryView.defaultLeaseSeconds)"),
    ]
  }

  /// The environment a `--exec` command runs with (in addition to the watcher's own).
  public static func environment(_ s: FollowerState) -> [String: String] {
    var env = ["KAFKA_BOOTSTRAP_SERVERS": s.document.active.bootstrapServers]
    for (k, v) in fields(s) { env["FAILOVERCTL_\(envName(k))"] = v }
    env["FAILOVERCTL_REASON"] = s.reason
    return env
  }

  static func envName(_ key: String) -> String {
    String(key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
  }

  /// Java properties escaping, kept to what Java needs: backslashes and line breaks
  /// everywhere, separators only in keys. A value stays as it is otherwise, so that simple
  /// `key=value` readers (librdkafka's `-F` files) read the same thing.
  static func escape(_ s: String, key: Bool) -> String {
    var out = ""
    for c in s {
      switch c {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "=", ":", "#", "!", " ":
        if key { out += "\\" }
        out.append(c)
      default: out.append(c)
      }
    }
    return out
  }

  /// Single quotes for a shell: nothing inside is expanded.
  static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

  static func stamp(_ d: Date) -> String { d.formatted(.iso8601) }
}
