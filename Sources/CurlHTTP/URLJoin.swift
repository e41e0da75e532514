/// Joins a base URL as operators write it (with or without a trailing slash) and a path.
public enum URLJoin {
  /// `http://h:8083/` + `/connectors` → `http://h:8083/connectors`.
  public static func join(_ base: String, _ path: String) -> String {
    var b = Substring(base)
    while b.hasSuffix("/") { b = b.dropLast() }
    return path.hasPrefix("/") ? "\(b)\(path)" : "\(b)/\(path)"
  }

  /// The base without its trailing slashes.
  public static func trimmed(_ base: String) -> String {
    var b = Substring(base)
    while b.hasSuffix("/") { b = b.dropLast() }
    return String(b)
  }
}
