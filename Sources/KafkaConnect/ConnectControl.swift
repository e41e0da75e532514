/// Control of a flow's MM2 connectors through a Kafka Connect REST API: the seam the
/// failover executor pauses and resumes replication through (`ConnectREST` for real, an
/// in-memory fake in tests).
public protocol ConnectControl: Sendable {
  /// Pauses or resumes each connector at `baseURL`; one note per connector. A Connect
  /// cluster that cannot be reached is a note, not an error (it is often gone with its
  /// region); an answer other than 2xx or 404 is an error. `fencingToken` is the leader's
  /// token when a coordinated leader calls, sent along (`X-Failoverctl-Fencing-Token`)
  /// so that whatever sits in front of Connect can refuse a deposed leader's call.
  func set(_ verb: ConnectVerb, connectors: [String], at baseURL: String, fencingToken: Int64?) async throws
    -> [String]

  /// Moves a connector's offsets the way KIP-875 allows (Connect 3.6 and later): stops the
  /// connector, waits until Connect says STOPPED, writes `offsets`, then pauses or resumes
  /// it as `then` says. Throws ConnectError with what Connect answered when it cannot (an
  /// older Connect has no such route), leaving the connector stopped or as it was.
  func alterOffsets(
    _ connector: String, _ offsets: ConnectorOffsets, at baseURL: String, then: ConnectVerb, fencingToken: Int64?
  ) async throws -> String

  /// The status of one connector.
  func status(of connector: String, at baseURL: String, timeout: Duration) async throws -> ConnectStatusAnswer
}

/// What Connect said about a connector.
public enum ConnectStatusAnswer: Sendable, Equatable {
  case found(ConnectorStatus)
  /// 404: no such connector.
  case missing
  /// Another HTTP status.
  case refused(Int)
  /// 200 with a body that is not Connect's status document.
  case undecodable
}

/// Why a Connect call failed.
public struct ConnectError: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Code: String, Sendable, Equatable {
    /// Connect answered the call with an error status.
    case refused
    /// The connector did not reach the state asked for in time.
    case timedOut = "timed-out"
    /// Offsets were altered but the connector could not be started again: it is left STOPPED.
    case leftStopped = "left-stopped"
  }
  public let code: Code
  public let description: String
  public init(_ code: Code, _ description: String) {
    self.code = code
    self.description = description
  }
}
