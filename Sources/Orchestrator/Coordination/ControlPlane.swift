import Foundation

/// Who the orchestrators of this deployment are and which one leads: what
/// `GET /v1/control-plane` shows and what a follower forwards mutations by.
public protocol ControlPlane: Sendable {
  /// `standalone` or `coordinated`.
  var mode: ControlPlaneMode { get }
  var me: ControlPlaneMember { get }
  func leadership() async -> Leadership
  /// The leader as last seen; nil while nobody leads.
  func leader() async -> ControlPlaneMember?
  /// When this instance last became leader.
  func leaderSince() async -> Date?
  func members() async -> [(member: ControlPlaneMember, lastSeen: Date)]
  /// One round of campaigning and renewing; true when this instance became leader since
  /// the previous round (in this one, or in `untilNextRound`, which can take a silent
  /// leader's place): the caller then resumes what the journal left open.
  func step() async -> Bool
  /// How often `step` must run.
  var interval: Duration { get }
  /// Until the next `step` is due (at most `interval`; sooner when leadership is free).
  func untilNextRound() async
  /// Gives leadership up (on a planned stop).
  func resign() async
}

public enum ControlPlaneMode: String, Sendable, Codable {
  case standalone, coordinated
}

/// One process: it is the control plane, and always its leader.
public struct StandaloneControlPlane: ControlPlane {
  public let me: ControlPlaneMember
  let started = Date()

  public init(me: ControlPlaneMember) { self.me = me }

  public var mode: ControlPlaneMode { .standalone }
  public func leadership() async -> Leadership { .leader(token: 1) }
  public func leader() async -> ControlPlaneMember? { me }
  public func leaderSince() async -> Date? { started }
  public func members() async -> [(member: ControlPlaneMember, lastSeen: Date)] { [(me, Date())] }
  public func step() async -> Bool { false }
  public var interval: Duration { .seconds(3600) }
  public func untilNextRound() async { try? await Task.sleep(for: interval) }
  public func resign() async {}
}

/// Several processes through etcd: `EtcdLeader` decides.
public struct EtcdControlPlane: ControlPlane {
  public let leaderElection: EtcdLeader
  public let me: ControlPlaneMember
  public let interval: Duration

  public init(leader: EtcdLeader, me: ControlPlaneMember, ttl: Duration) {
    leaderElection = leader
    self.me = me
    interval = ttl / 3
  }

  public var mode: ControlPlaneMode { .coordinated }
  public func leadership() async -> Leadership { await leaderElection.leadership }
  public func leader() async -> ControlPlaneMember? { await leaderElection.currentHolder }
  public func leaderSince() async -> Date? { await leaderElection.since }

  public func members() async -> [(member: ControlPlaneMember, lastSeen: Date)] {
    ((try? await leaderElection.members()) ?? []).map { ($0.member, $0.lastSeen) }
  }

  public func step() async -> Bool {
    await leaderElection.step()
    // A follower can also become leader between rounds (taking over a silent leader's key).
    return await leaderElection.becameLeaderSinceAsked()
  }

  public func untilNextRound() async { await leaderElection.untilNextRound() }

  public func resign() async { await leaderElection.resign() }
}
