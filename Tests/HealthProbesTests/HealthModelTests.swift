import Foundation
import HealthProbes
import Testing

@Suite("Health model: hysteresis and vantage quorum")
struct HealthModelTests {
  func result(_ subject: String, _ state: HealthState, kind: String = "kafka", vantage: String = "v1") -> ProbeResult {
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
    m.observe(result("east", .healthy, kind: "kafka"))
    m.observe(result("east", .degraded, kind: "prometheus"))
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
}
