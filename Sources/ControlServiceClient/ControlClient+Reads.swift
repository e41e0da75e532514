import Orchestrator

/// The reads the CLI's commands and the demo share.
extension ControlClient {
  public func status() async throws -> StatusView {
    try await get("/v1/status", as: StatusView.self, timeout: .seconds(5))
  }

  /// The newest failovers, oldest first.
  public func failovers(limit: Int = 50) async throws -> [FailoverRecord] {
    try await get("/v1/failovers?limit=\(limit)", as: FailoverList.self, timeout: .seconds(5)).failovers.reversed()
  }
}

/// `GET /v1/failovers`.
public struct FailoverList: Codable, Sendable {
  public let failovers: [FailoverRecord]
}
