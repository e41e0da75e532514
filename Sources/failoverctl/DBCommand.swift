import ArgumentParser
import Foundation
import Orchestrator
import Topology

struct DBCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "db", abstract: "Inspect or initialise the state database.",
    subcommands: [Initialize.self, Status.self])

  struct Initialize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "init",
      abstract: "Record a topology in the database and create the state of services it does not know yet.")

    @Option(help: "The topology YAML file.") var config: String
    @Option(help: "The SQLite state database.") var db: String = StateStore.defaultPath

    func run() async throws {
      do {
        let loaded = try TopologyLoader.load(path: config)
        let store = try await StateStore.open(path: db)
        let snapshot = try await store.recordTopology(content: loaded.text, source: config)
        let states = try await store.ensureServices(loaded.topology)
        try await store.appendAudit(
          AuditEntry(
            actor: "cli:\(ProcessInfo.processInfo.userName)", action: .dbInit, subject: config,
            details: "topology version \(snapshot.version)", outcome: .ok))
        print("\(db): topology version \(snapshot.version) from \(config)")
        for s in states { print("  \(s.service): active \(s.activeCluster), epoch \(s.epoch)") }
      } catch {
        throw reportFailure(error)
      }
    }
  }

  struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the schema, topology version and services.")

    @Option(help: "The SQLite state database.") var db: String = StateStore.defaultPath
    @Option(help: "text or json.") var output: OutputFormat = .text

    func run() async throws {
      do {
        guard FileManager.default.fileExists(atPath: db) else {
          throw ConfigReadError(file: db, reason: "no such database; create one with `failoverctl db init`")
        }
        let store = try await StateStore.open(path: db)
        let migrations = try await store.appliedMigrations()
        let topology = try await store.latestTopology()
        let services = try await store.serviceStates()
        if output == .json {
          try printJSON(
            DBStatus(
              database: db, migrations: migrations, topologyVersion: topology?.version,
              topologySource: topology?.source,
              services: services))
          return
        }
        print("database: \(db)")
        print("schema:   \(migrations.joined(separator: ", "))")
        print("topology: \(topology.map { "version \($0.version) from \($0.source)" } ?? "none recorded")")
        print(serviceTable(services))
      } catch {
        throw reportFailure(error)
      }
    }
  }
}

struct DBStatus: Encodable {
  let database: String
  let migrations: [String]
  let topologyVersion: Int64?
  let topologySource: String?
  let services: [ServiceState]
}
