import CurlHTTP
import Foundation
import HealthProbes
import KafkaLab
import Orchestrator
import Testing
import Topology

@Suite("Detecting a regional failure through the health model")
struct DetectionTests {
  @Test func aDownRegionIsJudgedUnreachableAfterTheFailureThresholdAndRecovers() async throws {
    let lab = try Lab(regions: ["east", "west"])
    var topology = lab.topology
    topology.probes.timeout = .seconds(1)
    topology.probes.failuresToDown = 3
    topology.probes.successesToUp = 2
    let plan = try ProbePlan(topology: topology, http: HTTPClient())
    var model = plan.model()
    for r in await plan.scheduler.runOnce() { model.observe(r) }
    #expect(model.health(of: "east").state == .healthy)

    lab.region("east")!.fail()
    // Hysteresis: two failed rounds are not enough, the third is.
    for round in 1...3 {
      for r in await plan.scheduler.runOnce() { model.observe(r) }
      let expected: HealthState = round < 3 ? .healthy : .unreachable
      #expect(model.health(of: "east").state == expected, "round \(round)")
    }
    #expect(model.health(of: "west").state == .healthy)
    #expect(model.health(of: "east").reasons.first?.hasPrefix("kafka: metadata request failed") == true)

    lab.region("east")!.recover()
    var rounds = 0
    while model.health(of: "east").state != .healthy, rounds < 20 {
      for r in await plan.scheduler.runOnce() { model.observe(r) }
      rounds += 1
    }
    #expect(model.health(of: "east").state == .healthy)
    #expect(rounds >= 2)
  }
}
