import ArgumentParser
import Foundation
import Orchestrator

enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
  case text, json
}

func printJSON<T: Encodable>(_ value: T) throws {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  encoder.dateEncodingStrategy = .iso8601
  print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

func table(_ header: [String], _ rows: [[String]]) -> String { TextTable.render(header, rows) }
