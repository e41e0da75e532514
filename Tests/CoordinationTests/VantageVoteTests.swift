import Etcd
import Foundation
import HealthProbes
import Orchestrator
import Testing

/// Each instance's verdicts in etcd under its own lease: every live instance sees every
/// other's, a stopped instance's vanish with its lease, and an unchanged verdict is not
/// written again.
@Suite("Vantage votes on etcd", .serialized)
struct VantageVoteTests {
  static func vote(_ vantage: String, _ state: HealthState) -> VantageVote {
    VantageVote(
      subject: "east", vantage: vantage, region: "r-\(vantage)", state: state,
      reasons: state == .healthy ? [] : ["down"],
      since: Date(timeIntervalSince1970: 1_000), at: Date(timeIntervalSince1970: 1_000))
  }

  @Test func everyLiveInstanceSeesTheOthersVotesAndADeadOnesVanish() async throws {
    let f = try await EtcdFixture()
    defer { f.members.stop() }
    let a = f.leader("a", ttl: .seconds(10))
    let b = f.leader("b", ttl: .seconds(10))
    await a.step()
    await b.step()
    let clientA = f.client()
    let votesA = EtcdVantageVotes(client: clientA, prefix: f.prefix, leader: a, instance: "a")
    let votesB = EtcdVantageVotes(client: f.client(), prefix: f.prefix, leader: b, instance: "b")
    try await votesA.cast([Self.vote("a", .unreachable)])
    try await votesB.cast([Self.vote("b", .healthy)])
    let seen = try await votesA.votes().sorted { $0.vantage < $1.vantage }
    #expect(seen == [Self.vote("a", .unreachable), Self.vote("b", .healthy)])

    // The same verdict again costs nothing; a changed one is written.
    let before = clientA.requestsSent
    try await votesA.cast([Self.vote("a", .unreachable)])
    #expect(clientA.requestsSent == before)
    try await votesA.cast([Self.vote("a", .healthy)])
    #expect(clientA.requestsSent == before + 1)
    #expect(try await votesB.votes().first { $0.vantage == "a" }?.state == .healthy)

    // b stops (its lease is revoked, as on a planned stop or after its TTL): its vote is gone.
    await b.resign()
    #expect(try await votesA.votes().map(\.vantage) == ["a"])
  }

  /// A new lease (after the old one expired) gets every verdict written again under it.
  @Test func aNewLeaseRewritesTheVotes() async throws {
    let f = try await EtcdFixture(count: 1)
    defer { f.members.stop() }
    let a = f.leader("a", ttl: .seconds(10))
    await a.step()
    let votes = EtcdVantageVotes(client: f.client(), prefix: f.prefix, leader: a, instance: "a")
    try await votes.cast([Self.vote("a", .unreachable)])
    await a.resign()
    #expect(try await votes.votes().isEmpty)
    await a.step()
    try await votes.cast([Self.vote("a", .unreachable)])
    #expect(try await votes.votes() == [Self.vote("a", .unreachable)])
  }
}
