import KafkaConnect
import Synchronization

/// A Kafka Connect stand-in that records every pause, resume and change of offsets, in
/// order, and can play an unreachable Connect cluster or one older than 3.6.
public final class RecordingConnect: ConnectControl {
  public struct Call: Sendable, Equatable {
    public let verb: ConnectVerb
    public let connectors: [String]
    public let baseURL: String
    public let fencingToken: Int64?
  }

  public struct OffsetCall: Sendable, Equatable {
    public let connector: String
    public let offsets: ConnectorOffsets
    public let baseURL: String
    public let then: ConnectVerb
  }

  private struct State {
    var calls: [Call] = []
    var offsetCalls: [OffsetCall] = []
    var unreachable = false
    var withoutOffsetsAPI = false
    var connectorState = ConnectorStatus.running
  }

  private let state = Mutex(State())

  public init() {}

  public var calls: [Call] { state.withLock { $0.calls } }
  public var offsetCalls: [OffsetCall] { state.withLock { $0.offsetCalls } }
  public func setUnreachable(_ v: Bool) { state.withLock { $0.unreachable = v } }
  /// The state every connector's status reports.
  public func setConnectorState(_ v: String) { state.withLock { $0.connectorState = v } }
  /// Answers offset changes as Connect before 3.6 does: no such route.
  public func setWithoutOffsetsAPI(_ v: Bool) { state.withLock { $0.withoutOffsetsAPI = v } }

  public func set(_ verb: ConnectVerb, connectors: [String], at baseURL: String, fencingToken: Int64?) async throws
    -> [String]
  {
    let unreachable = state.withLock { s in
      s.calls.append(Call(verb: verb, connectors: connectors, baseURL: baseURL, fencingToken: fencingToken))
      return s.unreachable
    }
    return connectors.map { unreachable ? "\($0): \(verb) not possible now (unreachable)" : "\($0) \(verb.past)" }
  }

  public func alterOffsets(
    _ connector: String, _ offsets: ConnectorOffsets, at baseURL: String, then: ConnectVerb, fencingToken: Int64?
  ) async throws -> String {
    let (unreachable, old) = state.withLock { s in
      s.offsetCalls.append(OffsetCall(connector: connector, offsets: offsets, baseURL: baseURL, then: then))
      return (s.unreachable, s.withoutOffsetsAPI)
    }
    if unreachable { throw ConnectError(.refused, "stop \(connector): unreachable") }
    if old {
      throw ConnectError(.refused, "alter the offsets of \(connector): HTTP 404 (it needs Connect 3.6 or later)")
    }
    return "\(connector): offsets of \(offsets.offsets.count) partitions altered, then \(then.past)"
  }

  public func status(of connector: String, at baseURL: String, timeout: Duration) async throws -> ConnectStatusAnswer {
    let s = state.withLock { $0.connectorState }
    return .found(
      ConnectorStatus(
        name: connector, connector: .init(state: s, workerId: "test"), tasks: [.init(id: 0, state: s, workerId: "test")]
      ))
  }
}
