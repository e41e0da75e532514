import Foundation
import Orchestrator

/// `GET /v1/control-plane`: the mode, this instance and its role, the leader, the fencing
/// token and every member seen alive.
struct ControlPlaneView: Codable, Sendable {
  struct Member: Codable, Sendable {
    let instance: String
    let region: String
    let url: String
    let role: Role?
    let lastSeen: Date?
    let since: Date?
  }

  enum Role: String, Codable, Sendable {
    case leader, follower
  }

  let mode: ControlPlaneMode
  let `self`: Member
  let leader: Member?
  let fencingToken: Int64?
  let members: [Member]
}
