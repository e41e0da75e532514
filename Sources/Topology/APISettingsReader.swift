/// Reads the `api:` section; every field error carries its line and path.
enum APISettingsReader {
  static func read(_ m: NodeReader.Mapping) -> APISettings {
    defer { m.finish() }
    var s = APISettings()
    if let b = m.bool("discoveryRequiresToken") { s.discoveryRequiresToken = b }
    if let n = m.int("maxBodyBytes") {
      if n < 1024 {
        m.reader.error(m.value("maxBodyBytes"), m.child("maxBodyBytes"), "must be at least 1024")
      } else {
        s.maxBodyBytes = n
      }
    }
    if let text = m.string("maxWait") {
      if let d = DurationText.parse(text), d > .zero {
        s.maxWait = d
      } else {
        m.reader.error(
          m.value("maxWait"), m.child("maxWait"), "expected a duration such as 30s or 2m, found \"\(text)\"")
      }
    }
    if let n = m.int("maxHeaderBytes") {
      if n < 1024 {
        m.reader.error(m.value("maxHeaderBytes"), m.child("maxHeaderBytes"), "must be at least 1024")
      } else {
        s.maxHeaderBytes = n
      }
    }
    if let n = m.int("maxConnections") {
      if n < 1 {
        m.reader.error(m.value("maxConnections"), m.child("maxConnections"), "must be at least 1")
      } else {
        s.maxConnections = n
      }
    }
    if let n = m.int("maxWaitsPerClient") {
      if n < 1 {
        m.reader.error(m.value("maxWaitsPerClient"), m.child("maxWaitsPerClient"), "must be at least 1")
      } else {
        s.maxWaitsPerClient = n
      }
    }
    var names: Set<String> = []
    for (node, path) in m.sequence("tokens") ?? [] {
      guard let t = NodeReader.Mapping(m.reader, node, path: path) else { continue }
      defer { t.finish() }
      let name = t.string("name", required: true)
      let role = t.oneOf("role", APIRole.allCases.map(\.rawValue)).flatMap(APIRole.init)
      if t.value("role") == nil { m.reader.error(t.node, t.child("role"), "required field is missing") }
      let hex = t.string("sha256", required: true)
      var digest: [UInt8]? = nil
      if let hex {
        digest = APIToken.digest(hex: hex)
        if digest == nil {
          m.reader.error(
            t.value("sha256"), t.child("sha256"),
            "expected the SHA-256 of the token as 64 hexadecimal digits (failoverctl token new prints one), "
              + "found \(hex.count) characters")
        }
      }
      if let name, !names.insert(name).inserted {
        m.reader.error(t.value("name"), t.child("name"), "duplicate token name \"\(name)\"")
      }
      if let name, let role, let digest { s.tokens.append(APIToken(name: name, role: role, sha256: digest)) }
    }
    return s
  }
}
