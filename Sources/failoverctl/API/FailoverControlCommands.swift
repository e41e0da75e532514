import ArgumentParser
import Foundation
import Orchestrator
import Topology

/// `ack`, `abort` and `resume` of a journaled failover, by id (see `history`).
struct AckCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ack", abstract: "Approve a pending failover (a manual-approval policy opened it) and follow it.")
  @Argument(help: "The failover's id (failoverctl history).") var id: Int64
  @OptionGroup var server: ServerOptions

  func run() async throws { try await postAndFollow("/v1/failovers/\(id)/ack", server) }
}

struct AbortCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "abort",
    abstract: "End a pending or failed failover; a fenced source that was never switched becomes writable again.")
  @Argument(help: "The failover's id (failoverctl history).") var id: Int64
  @OptionGroup var server: ServerOptions

  func run() async throws {
    let record = try await server.client.post("/v1/failovers/\(id)/abort", body: [:], as: FailoverRecord.self)
    if server.output == .json { try printJSON(record) } else { print("failover \(record.id): \(record.status)") }
  }
}

struct ResumeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume", abstract: "Run a failed failover again from the step that failed, and follow it.")
  @Argument(help: "The failover's id (failoverctl history).") var id: Int64
  @OptionGroup var server: ServerOptions

  func run() async throws { try await postAndFollow("/v1/failovers/\(id)/resume", server) }
}

private func postAndFollow(_ path: String, _ server: ServerOptions) async throws {
  let record = try await server.client.post(path, body: [:], as: FailoverRecord.self)
  if server.output == .text {
    print(
      "failover \(record.id) of \(record.service): \(record.sourceCluster) -> \(record.targetCluster), \(record.status)"
    )
  }
  try await followFailover(record, client: server.client, output: server.output)
}
