import ArgumentParser
import Foundation
import Orchestrator
import Topology

struct ConfigCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "config", abstract: "Work with topology files.", subcommands: [Validate.self])

  struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check a topology file and print a summary or every error with its line.",
      discussion: "Exit code 0 when valid, 1 when invalid, 66 when the file cannot be read.")

    @Argument(help: "The topology YAML file.") var file: String
    @Option(help: "text or json.") var output: OutputFormat = .text
    @Flag(help: "Also resolve every ${env:...} and ${file:...} reference, as the server will.")
    var resolveSecrets = false

    func run() async throws {
      let loaded: LoadedTopology
      do {
        loaded = try TopologyLoader.load(path: file)
      } catch let error as ConfigError {
        if output == .json {
          try printJSON(ValidationReport(file: file, valid: false, errors: error.diagnostics, summary: nil))
          throw Exit.invalid
        }
        throw reportFailure(error)
      } catch {
        throw reportFailure(error)
      }
      let secretErrors = resolveSecrets ? unresolvedSecrets(loaded) : []
      let summary = Summary(loaded.topology)
      if output == .json {
        try printJSON(ValidationReport(file: file, valid: secretErrors.isEmpty, errors: secretErrors, summary: summary))
      } else if secretErrors.isEmpty {
        print("\(file): valid")
        print(summary.text)
      } else {
        FileHandle.standardError.write(
          Data(
            (["\(file): \(secretErrors.count) unresolvable secret references"] + secretErrors.map(\.description))
              .joined(separator: "\n").appending("\n").utf8))
      }
      if !secretErrors.isEmpty { throw Exit.invalid }
    }

    private func unresolvedSecrets(_ loaded: LoadedTopology) -> [ConfigDiagnostic] {
      loaded.topology.clusters.flatMap { cluster in
        cluster.properties.sorted { $0.key < $1.key }.compactMap { key, value -> ConfigDiagnostic? in
          do {
            _ = try SecretReference.resolve(value)
            return nil
          } catch {
            return ConfigDiagnostic(
              file: file, location: cluster.location ?? .init(line: 1, column: 1),
              path: "clusters[\(cluster.name)].properties.\(key)", message: "\(error)")
          }
        }
      }
    }
  }
}

struct ValidationReport: Encodable {
  let file: String
  let valid: Bool
  let errors: [ConfigDiagnostic]
  let summary: Summary?
}

struct Summary: Encodable {
  let regions: [String]
  let clusters: [[String: String]]
  let flows: [[String: String]]
  let services: [[String: String]]

  init(_ t: Topology) {
    regions = t.regions.map(\.name)
    clusters = t.clusters.map { ["name": $0.name, "region": $0.region, "bootstrapServers": $0.bootstrapServers] }
    flows = t.flows.map { ["name": $0.name, "replicationPolicy": $0.replicationPolicy.rawValue] }
    services = t.services.map {
      var s = [
        "name": $0.name, "mode": $0.mode.rawValue, "primary": $0.primary,
        "standbys": $0.standbys.joined(separator: ","),
      ]
      if $0.mode == .activeActive {
        s["homes"] = $0.homes.map { "\($0.region)=\($0.cluster)" }.joined(separator: ",")
      }
      return s
    }
  }

  var text: String {
    var lines = ["  regions:  \(regions.count) (\(regions.joined(separator: ", ")))"]
    lines.append(
      "  clusters: \(clusters.count) (\(clusters.map { "\($0["name"]!) in \($0["region"]!)" }.joined(separator: ", ")))"
    )
    lines.append(
      "  flows:    \(flows.count) (\(flows.map { "\($0["name"]!) \($0["replicationPolicy"]!)" }.joined(separator: ", ")))"
    )
    lines.append(
      "  services: \(services.count) (\(services.map(Self.serviceLine).joined(separator: ", ")))")
    return lines.joined(separator: "\n")
  }

  private static func serviceLine(_ s: [String: String]) -> String {
    if let homes = s["homes"] {
      return "\(s["name"]!): active-active, homes \(homes.split(separator: ",").joined(separator: ", "))"
    }
    return "\(s["name"]!): \(s["primary"]!) -> [\(s["standbys"]!)]"
  }
}
