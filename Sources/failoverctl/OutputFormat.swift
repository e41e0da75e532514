import ArgumentParser
import ControlServiceClient
import Foundation
import Orchestrator
import Topology

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
  case text, json

  /// `table` is accepted as another name for `text`.
  init?(argument: String) {
    switch argument {
    case "text", "table": self = .text
    case "json": self = .json
    default: return nil
    }
  }

  static var allValueStrings: [String] { ["text", "table", "json"] }
}

func printJSON<T: Encodable>(_ value: T) throws {
  let encoder = JSONCoding.encoder([.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
  print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func table(_ header: [String], _ rows: [[String]]) -> String { TextTable.render(header, rows) }

/// Services with their active cluster and epoch, as `db status` and `status` show them.
func serviceTable(_ services: [ServiceState]) -> String {
  table(
    ["SERVICE", "ACTIVE", "EPOCH", "STATE"],
    services.map { [$0.service, $0.activeCluster, "\($0.epoch)", $0.state.rawValue] })
}
