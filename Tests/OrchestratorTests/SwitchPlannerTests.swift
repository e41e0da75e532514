import Foundation
import HealthProbes
import Orchestrator
import Testing
import Topology

/// The switch's decisions without a store or a cluster: every refusal and warning of a
/// promote, failover, failback and demote from the request, state, health and leadership.
@Suite("Switch planner: promote, failback, demote decided in process")
struct SwitchPlannerTests {
  static let topology = Topology(
    regions: [Region(name: "r1"), Region(name: "r2"), Region(name: "r3")],
    clusters: [
      Cluster(name: "east", region: "r1", bootstrapServers: "e:1"),
      Cluster(name: "west", region: "r2", bootstrapServers: "w:1"),
      Cluster(name: "south", region: "r3", bootstrapServers: "s:1"),
    ],
    flows: [Flow(source: "east", target: "west"), Flow(source: "west", target: "east")],
    services: [Service(name: "orders", primary: "east", standbys: ["west", "south"], topics: ["orders"])])

  static func state(_ active: String, writable: Bool = true, epoch: Int64 = 1) -> ServiceState {
    ServiceState(
      service: "orders", activeCluster: active, epoch: epoch, state: writable ? .stable : .failingOver,
      writable: writable, updatedAt: Date(timeIntervalSince1970: 0))
  }

  static func promote(
    _ target: String, mode: SwitchMode = .planned, state: ServiceState? = state("east"),
    health: HealthState? = .healthy, leader: Bool = true, service: String = "orders"
  ) throws(ControlError) -> SwitchPlan {
    try SwitchPlanner.promote(
      service, to: target, mode: mode, kind: .promote, topology: topology, state: state, targetHealth: health,
      isLeader: leader)
  }

  static func refusal(_ body: () throws -> SwitchPlan) -> ControlError? {
    do {
      _ = try body()
      return nil
    } catch {
      return error as? ControlError
    }
  }

  @Test func aPlannedPromoteToAHealthyStandbyIsPlannedWithItsFlow() throws {
    let plan = try Self.promote("west")
    #expect(plan.source == "east" && plan.target == "west" && plan.flow?.name == "east->west")
    #expect(plan.warnings.isEmpty)
    #expect(plan.steps.count == FailoverStepName.allCases.count)
    #expect(plan.steps[3] == "wait until east->west has replicated everything")
  }

  @Test func everyRefusalSaysWhy() {
    #expect(Self.refusal { try Self.promote("west", leader: false) }?.message.contains("not the leader") == true)
    let unknown = Self.refusal { try Self.promote("west", service: "ordres") }
    #expect(unknown?.kind == .notFound && unknown?.message == "unknown service \"ordres\" (did you mean \"orders\"?)")
    #expect(
      Self.refusal { try Self.promote("west", state: nil) }?.message == "service \"orders\" has no stored state yet")
    let typo = Self.refusal { try Self.promote("wets") }
    #expect(
      typo?.kind == .invalid && typo?.fields.first?.message == "unknown cluster \"wets\" (did you mean \"west\"?)")
    #expect(
      Self.refusal { try Self.promote("east") }?.message == "east is already the active cluster of orders (epoch 1)")
    let unreachable = Self.refusal { try Self.promote("west", health: .unreachable) }
    #expect(unreachable?.kind == .conflict && unreachable?.message.hasPrefix("target west is unreachable") == true)
  }

  @Test func forcedAndUnjudgedTargetsAndMissingFlowsAreWarnings() throws {
    let forced = try Self.promote("west", mode: .forced, health: .unreachable)
    #expect(forced.warnings == ["target west is unreachable; promoted because the mode is forced"])
    #expect(forced.steps[3] == "no drain (forced)")
    let south = try Self.promote("south", health: nil)
    #expect(south.flow == nil)
    #expect(
      south.warnings == ["no health known yet for south", "no flow east->south: offsets are not translated"])
    // A fenced active cluster may be promoted again (a demote's end).
    #expect(try Self.promote("east", state: Self.state("east", writable: false)).target == "east")
  }

  @Test func aFailbackNeedsToBeAwayAndAFlowHome() throws {
    func home(_ state: ServiceState) throws(ControlError) -> SwitchPlan {
      try SwitchPlanner.failback("orders", topology: Self.topology, state: state, homeHealth: .healthy, isLeader: true)
    }
    #expect(throws: ControlError.self) { try home(Self.state("east")) }
    do {
      _ = try home(Self.state("south"))
      Issue.record("a failback without a flow home was planned")
    } catch {
      #expect(error.message == "no flow south->east: a failback needs replication back to the primary")
    }
    let plan = try home(Self.state("west", epoch: 3))
    #expect(plan.kind == .failback && plan.target == "east" && plan.flow?.name == "west->east" && plan.mode == .planned)
  }

  @Test func aDemoteNeedsAWritableCluster() throws {
    #expect(
      try SwitchPlanner.demote("orders", topology: Self.topology, state: Self.state("east"), isLeader: true).1.epoch
        == 1)
    do {
      _ = try SwitchPlanner.demote(
        "orders", topology: Self.topology, state: Self.state("east", writable: false), isLeader: true)
      Issue.record("a demoted service was demoted again")
    } catch {
      #expect(error.message.hasPrefix("service orders is already demoted (epoch 1)"))
    }
  }

  @Test func anUnreachableSourcesLossIsTheLastMeasured() {
    #expect(SwitchPlanner.lossBasis(sourceHealth: .unreachable, lastKnown: 42) == .lastKnown(42))
    #expect(SwitchPlanner.lossBasis(sourceHealth: .unreachable, lastKnown: nil) == .lastKnown(nil))
    #expect(SwitchPlanner.lossBasis(sourceHealth: .degraded, lastKnown: 42) == .measure)
  }
}
