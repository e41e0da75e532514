/// What `PUT /connectors/{name}/{verb}` asks of a connector.
public enum ConnectVerb: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
  case pause
  case resume

  public var description: String { rawValue }
  /// As a note reads: `paused`, `resumed`.
  public var past: String { "\(rawValue)d" }
}
