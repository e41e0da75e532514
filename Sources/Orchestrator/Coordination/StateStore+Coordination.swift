/// The standalone coordination store: one orchestrator process, its SQLite file. It is
/// always the leader; its transactions give each method the atomicity the protocol asks.
extension StateStore: CoordinationStore {
  public var backend: String { "standalone (sqlite \(path))" }

  public func leadership() async throws -> Leadership { .leader(token: 1) }
}
