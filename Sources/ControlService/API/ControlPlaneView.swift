import Foundation
import Orchestrator

/// `GET /v1/control-plane`: the mode, this instance and its role, the leader, the fencing
/// token and every member seen alive.
public struct ControlPlaneView: Codable, Sendable {
  public struct Member: Codable, Sendable {
    public let instance: String
    public let region: String
    public let url: String
    public let role: Role?
    public let lastSeen: Date?
    public let since: Date?
  }

  public enum Role: String, Codable, Sendable {
    case leader, follower
  }

  public let mode: ControlPlaneMode
  public let `self`: Member
  public let leader: Member?
  public let fencingToken: Int64?
  public let members: [Member]
}
