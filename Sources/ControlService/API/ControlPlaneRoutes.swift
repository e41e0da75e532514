import Foundation
import Hummingbird
import Orchestrator

/// `GET /v1/control-plane`.
struct ControlPlaneRoutes: Sendable {
  let controlPlane: any ControlPlane

  var routes: [APIRoute] {
    [APIRoute(.get, "/v1/control-plane", role: .viewer, view)]
  }

  @Sendable func view(_ request: Request, _ context: APIContext) async throws -> Response {
    JSONBody.response(await build())
  }

  func build() async -> ControlPlaneView {
    let cp = controlPlane
    let leadership = await cp.leadership()
    let leader = await cp.leader()
    var token: Int64?
    if case .leader(let t) = leadership { token = t }
    func member(_ m: ControlPlaneMember, lastSeen: Date?, since: Date? = nil) -> ControlPlaneView.Member {
      ControlPlaneView.Member(
        instance: m.instance, region: m.region, url: m.url,
        role: leader?.instance == m.instance ? .leader : .follower, lastSeen: lastSeen, since: since)
    }
    let since = leadership.isLeader ? await cp.leaderSince() : nil
    return ControlPlaneView(
      mode: cp.mode,
      self: member(cp.me, lastSeen: Date(), since: since),
      leader: leader.map { member($0, lastSeen: nil, since: $0.instance == cp.me.instance ? since : nil) },
      fencingToken: token,
      members: await cp.members().map { member($0.member, lastSeen: $0.lastSeen) }.sorted { $0.instance < $1.instance })
  }
}
