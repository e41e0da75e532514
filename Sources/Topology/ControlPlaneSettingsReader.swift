/// Reads the `controlPlane:` section; every field error carries its line and path.
enum ControlPlaneSettingsReader {
  static func read(_ m: NodeReader.Mapping) -> ControlPlaneSettings? {
    defer { m.finish() }
    var endpoints: [String] = []
    guard let etcd = m.mapping("etcd") else {
      m.reader.error(m.node, m.child("etcd"), "required field is missing (etcd: {endpoints: [...]})")
      return nil
    }
    defer { etcd.finish() }
    for (url, location) in etcd.stringList("endpoints") ?? [] {
      if url.hasPrefix("http://") || url.hasPrefix("https://") {
        endpoints.append(url)
      } else {
        m.reader.error(
          at: location, etcd.child("endpoints"),
          "expected an etcd client URL such as http://etcd-east:2379, found \"\(url)\"")
      }
    }
    if etcd.value("endpoints") == nil {
      m.reader.error(etcd.node, etcd.child("endpoints"), "required field is missing")
    } else if endpoints.isEmpty {
      m.reader.error(etcd.value("endpoints"), etcd.child("endpoints"), "expected at least one etcd endpoint")
    }
    var s = ControlPlaneSettings(endpoints: endpoints)
    if let prefix = etcd.string("prefix") {
      if prefix.hasPrefix("/") && prefix.hasSuffix("/") && prefix.count > 1 {
        s.prefix = prefix
      } else {
        m.reader.error(
          etcd.value("prefix"), etcd.child("prefix"),
          "expected a key prefix that starts and ends with /, found \"\(prefix)\"")
      }
    }
    if let text = m.string("leaseTTL") {
      if let d = DurationText.parse(text), d >= .seconds(3) {
        s.leaseTTL = d
      } else {
        m.reader.error(
          m.value("leaseTTL"), m.child("leaseTTL"),
          "expected a duration of at least 3s (etcd renews leases in whole seconds), found \"\(text)\"")
      }
    }
    return endpoints.isEmpty ? nil : s
  }
}
