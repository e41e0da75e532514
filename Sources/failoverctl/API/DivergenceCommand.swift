import ArgumentParser
import ControlServiceClient
import Foundation
import Orchestrator

/// `failoverctl divergence SERVICE`: the unreplicated tail the service's last unplanned
/// failover left on the old primary (docs/runbooks.md, "A region comes back").
struct DivergenceCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "divergence",
    abstract: "What the cluster a service left in an unplanned failover holds that never reached its active cluster.")

  @Argument(help: "The service.") var service: String
  @OptionGroup var server: ServerOptions

  func run() async throws {
    let view = try await server.client.get(
      "/v1/services/\(pathComponent(service))/divergence", as: DivergenceView.self)
    if server.output == .json {
      try printJSON(view)
      return
    }
    print("\(view.service): \(view.note)")
    guard let d = view.divergence, !d.partitions.isEmpty else { return }
    print(DivergenceTable.render(d))
  }
}

/// One divergence as a table, for `divergence` and `status`.
enum DivergenceTable {
  static func render(_ d: Divergence) -> String {
    TextTable.render(
      ["TOPIC", "PARTITION", "TAIL", "RECORDS", "EXPIRED", "FIRST", "LAST", "KEYS", "BASIS"],
      d.partitions.map {
        [
          $0.topic, "\($0.partition)", "\($0.tailStart)..<\($0.tailEnd)", "\($0.records)", "\($0.expired)",
          $0.firstTimestamp.map(time) ?? "-", $0.lastTimestamp.map(time) ?? "-",
          $0.sampleKeys.prefix(3).joined(separator: ", "), $0.basis.rawValue,
        ]
      }, maxWidth: 100)
  }

  private static func time(_ ms: Int64) -> String {
    iso(Date(timeIntervalSince1970: Double(ms) / 1000))
  }
}
