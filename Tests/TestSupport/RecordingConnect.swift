import KafkaConnect
import Synchronization

/// A Kafka Connect stand-in that records every pause and resume, in order, and can play
/// an unreachable Connect cluster.
public final class RecordingConnect: ConnectControl {
  public struct Call: Sendable, Equatable {
    public let verb: ConnectVerb
    public let connectors: [String]
    public let baseURL: String
    public let fencingToken: Int64?
  }

  private let state = Mutex<(calls: [Call], unreachable: Bool)>(([], false))

  public init() {}

  public var calls: [Call] { state.withLock { $0.calls } }
  public func setUnreachable(_ v: Bool) { state.withLock { $0.unreachable = v } }

  public func set(_ verb: ConnectVerb, connectors: [String], at baseURL: String, fencingToken: Int64?) async throws
    -> [String]
  {
    let unreachable = state.withLock { s in
      s.calls.append(Call(verb: verb, connectors: connectors, baseURL: baseURL, fencingToken: fencingToken))
      return s.unreachable
    }
    return connectors.map { unreachable ? "\($0): \(verb) not possible now (unreachable)" : "\($0) \(verb.past)" }
  }

  public func status(of connector: String, at baseURL: String, timeout: Duration) async throws -> ConnectStatusAnswer {
    .found(
      ConnectorStatus(
        name: connector, connector: .init(state: ConnectorStatus.running, workerId: "test"),
        tasks: [.init(id: 0, state: ConnectorStatus.running, workerId: "test")]))
  }
}
