import Foundation
import HealthProbes
import Testing

@Suite("Health model: hysteresis and vantage quorum")
struct HealthModelTests {
  func result(_ subject: String, _ state: HealthState, kind: ProbeKind = .kafka, vantage: String = "v1") -> ProbeResult
  {
    ProbeResult(
      kind: kind, subject: subject, state: state, reasons: state == .healthy ? [] : ["\(state)"],
      latencyMilliseconds: 1, vantage: vantage)
  }

  @Test func aSingleFailedProbeDoesNotFlip() {
    var m = HealthModel(hysteresis: Hysteresis(failuresToDown: 3, successesToUp: 2))
    for s in [HealthState.healthy, .unreachable, .healthy, .unreachable, .healthy] { m.observe(result("east", s)) }
    #expect(m.health(of: "east").state == .healthy)
  }

  @Test func consecutiveFailuresGoDownAndSuccessesComeBack() {
    var m = HealthModel(hysteresis: Hysteresis(failuresToDown: 3, successesToUp: 2))
    m.observe(result("east", .unreachable))
    m.observe(result("east", .degraded))  // still on the worse side: the streak goes on
    #expect(m.health(of: "east").state == .healthy)
    m.observe(result("east", .unreachable))
    #expect(m.health(of: "east").state == .unreachable)
    #expect(m.health(of: "east").reasons == ["kafka: unreachable"])
    m.observe(result("east", .healthy))
    #expect(m.health(of: "east").state == .unreachable)
    m.observe(result("east", .healthy))
    #expect(m.health(of: "east").state == .healthy)
    #expect(m.health(of: "east").reasons.isEmpty)
  }

  @Test func theWorstProbeKindWins() {
    var m = HealthModel(hysteresis: Hysteresis(failuresToDown: 1, successesToUp: 1))
    m.observe(result("east", .healthy, kind: .kafka))
    m.observe(result("east", .degraded, kind: .prometheus))
    let h = m.health(of: "east")
    #expect(h.state == .degraded)
    #expect(h.reasons == ["prometheus: degraded"])
  }

  @Test func unreachableNeedsAQuorumOfVantagePoints() {
    var m = HealthModel(hysteresis: Hysteresis(failuresToDown: 1, successesToUp: 1), quorum: 2)
    m.observe(result("east", .unreachable, vantage: "orchestrator-west"))
    m.observe(result("east", .healthy, vantage: "orchestrator-central"))
    let one = m.health(of: "east")
    #expect(one.state == .degraded)
    #expect(one.unreachableFrom == ["orchestrator-west"])
    #expect(one.reasons.contains("unreachable from 1 of 2 vantage points needed"))
    m.observe(result("east", .unreachable, vantage: "orchestrator-central"))
    #expect(m.health(of: "east").state == .unreachable)
    #expect(m.health(of: "east").unreachableFrom == ["orchestrator-central", "orchestrator-west"])
  }

  static func vote(_ vantage: String, _ region: String?, _ state: HealthState) -> VantageVote {
    VantageVote(
      subject: "east", vantage: vantage, region: region, state: state, reasons: state == .healthy ? [] : ["down"],
      since: Date(timeIntervalSince1970: 100), at: Date(timeIntervalSince1970: 100))
  }

  /// Remote votes join this model's own; one from inside the subject's region is listed
  /// but not counted (unless asked), and this model's vantage wins over a remote one of
  /// the same name.
  @Test func remoteVotesCountExceptFromInsideTheRegion() {
    var m = HealthModel(hysteresis: Hysteresis(failuresToDown: 1, successesToUp: 1), quorum: 2)
    m.observe(result("east", .unreachable, vantage: "b"))
    let remote = [
      Self.vote("a", "r-east", .unreachable), Self.vote("b", "r-west", .healthy), Self.vote("c", "r-central", .healthy),
    ]
    let h = m.health(of: "east", subjectRegion: "r-east", localRegion: "r-west", remote: remote)
    #expect(h.votes.map(\.vantage) == ["a", "b", "c"])
    #expect(h.votes.first { $0.vantage == "b" }?.state == .unreachable)
    #expect(h.unreachableFrom == ["b"])
    #expect(h.state == .degraded)
    #expect(h.reasons.contains("1 vantage point(s) inside r-east not counted"))
    let counting = m.health(
      of: "east", subjectRegion: "r-east", localRegion: "r-west", remote: remote, sameRegion: .count)
    #expect(counting.unreachableFrom == ["a", "b"])
    #expect(counting.state == .unreachable)
    // A vantage point without a region always counts.
    let standalone = m.health(of: "east", subjectRegion: "r-east", remote: [Self.vote("a", nil, .unreachable)])
    #expect(standalone.state == .unreachable)
  }
}
