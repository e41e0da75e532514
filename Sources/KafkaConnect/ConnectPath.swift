import Foundation

/// The paths of Kafka Connect's REST API that failoverctl uses, with connector names
/// escaped as one path segment (MM2 connector names may hold `/` or `>` in custom setups).
public enum ConnectPath {
  public static func escape(_ connector: String) -> String {
    connector.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/", ">"])) ?? connector
  }

  public static let connectors = "/connectors"

  public static func status(_ connector: String) -> String { "/connectors/\(escape(connector))/status" }

  /// `PUT`: stop the connector and its tasks, keeping its configuration and offsets
  /// (KIP-875, Connect 3.5 and later).
  public static func stop(_ connector: String) -> String { "/connectors/\(escape(connector))/stop" }

  /// `GET`/`PATCH`: the connector's offsets (KIP-875, Connect 3.6 and later).
  public static func offsets(_ connector: String) -> String { "/connectors/\(escape(connector))/offsets" }

  public static func action(_ verb: ConnectVerb, _ connector: String) -> String {
    "/connectors/\(escape(connector))/\(verb.rawValue)"
  }
}
