import Foundation
import Topology

/// The policies a topology's services name, loaded from a directory and checked against
/// the topology before anything starts.
public enum PolicySet {
  /// Where policies are looked for when no directory is given: `policies/` beside the
  /// topology file, else `policies/` in the working directory.
  public static func defaultDirectory(topologyFile: String) -> String {
    let beside = ((topologyFile as NSString).deletingLastPathComponent as NSString).appendingPathComponent("policies")
    return FileManager.default.fileExists(atPath: beside) ? beside : "policies"
  }

  /// Loads every policy a service names; a missing or invalid one is a `ConfigError`
  /// that points at the service (or at the policy file's own lines).
  public static func load(for topology: Topology, topologyFile: String, directory: String) throws -> [String: Policy] {
    var policies: [String: Policy] = [:]
    var missing: [ConfigDiagnostic] = []
    for service in topology.services {
      guard let name = service.policy, policies[name] == nil else { continue }
      let path = (directory as NSString).appendingPathComponent("\(name).yaml")
      guard FileManager.default.fileExists(atPath: path) else {
        let available =
          ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".yaml") }
          .map { String($0.dropLast(5)) }.sorted()
        let hint = suggestion(for: name, among: available).map { " (did you mean \"\($0)\"?)" } ?? ""
        missing.append(
          ConfigDiagnostic(
            file: topologyFile, location: service.location ?? .init(line: 1, column: 1),
            path: "services[\(service.name)].policy",
            message:
              "no policy \"\(name)\" in \(directory)\(hint) (available: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
          ))
        continue
      }
      policies[name] = try PolicyLoader.load(path: path, topology: topology)
    }
    if !missing.isEmpty { throw ConfigError(file: topologyFile, diagnostics: missing) }
    return policies
  }
}
