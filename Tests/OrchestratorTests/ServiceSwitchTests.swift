import Foundation
import HealthProbes
import Orchestrator
import TestSupport
import Testing
import Topology

@Suite("The switch: what it refuses and what it chooses")
struct ServiceSwitchTests {
  @Test func aTargetThatIsNotAStandbyOfTheServiceIsRefusedBeforeAnything() async throws {
    let w = try await DecisionWorld()
    await #expect(throws: ControlError.self) {
      _ = try await w.switcher.promote(service: "orders", PromoteRequest(target: "nowhere"), actor: "t")
    }
    do {
      _ = try await w.switcher.promote(service: "orders", PromoteRequest(target: "east"), actor: "t")
      Issue.record("promoting the active cluster must be refused")
    } catch let e as ControlError {
      #expect(e.kind == .conflict)
      #expect(e.message == "east is already the active cluster of orders (epoch 1)")
    }
    #expect(try await w.store.openFailovers().isEmpty)
    #expect(try await w.store.serviceState("orders")?.epoch == 1)
    // Every refusal is audited.
    #expect(try await w.store.auditLog(limit: 10, before: nil).allSatisfy { $0.outcome.hasPrefix("rejected") })
  }

  @Test func aPlannedPromoteToAnUnreachableTargetIsRefusedAForcedOneWarns() async throws {
    let w = try await DecisionWorld()
    await #expect(throws: ControlError.self) {
      _ = try await w.switcher.promote(
        service: "orders", PromoteRequest(target: "west"), actor: "t", targetHealth: .unreachable)
    }
    let forced = try await w.switcher.promote(
      service: "orders", PromoteRequest(target: "west", mode: .forced), actor: "t", targetHealth: .unreachable)
    #expect(forced.warnings == ["target west is unreachable; promoted because the mode is forced"])
  }

  @Test func theBestStandbyIsHealthyFirstAndNeverUnreachable() async throws {
    let w = try await DecisionWorld()
    #expect(try await w.switcher.bestStandby(service: "orders", health: ["west": .degraded]) == "west")
    await #expect(throws: ControlError.self) {
      _ = try await w.switcher.bestStandby(service: "orders", health: ["west": .unreachable])
    }
  }

  @Test func anUnplannedFailoverFromAnUnreachableSourceTakesTheLastKnownLoss() async throws {
    let w = try await DecisionWorld()
    w.kafka["east"].setDown(true)
    let outcome = try await w.switcher.failover(
      service: "orders", to: nil, health: ["east": .unreachable, "west": .healthy], reason: "r", actor: "t",
      lastKnownLoss: { flow in flow == "east->west" ? 42 : nil })
    #expect(outcome.toCluster == "west")
    #expect(outcome.expectedLossRecords == 42)
    #expect(outcome.failover?.kind == .failover && outcome.failover?.mode == .forced)
  }

  @Test func aFollowerRefusesToSwitch() async throws {
    let w = try await DecisionWorld()
    await w.memory!.setLeadership(.follower(leader: "other"))
    await #expect(throws: ControlError.self) {
      _ = try await w.switcher.promote(service: "orders", PromoteRequest(target: "west"), actor: "t")
    }
  }

  @Test func aDemoteJournalsTheFenceStepUnderItsOwnSequenceNumber() async throws {
    let w = try await DecisionWorld(sqlite: true)
    let outcome = try await w.switcher.demote(service: "orders", dryRun: false, reason: "r", actor: "t")
    let id = try #require(outcome.failover).id
    let record = try #require(try await w.store.failover(id: id))
    #expect(record.steps.map(\.name) == [.fenceSource])
    #expect(record.steps.map(\.seq) == [FailoverStepName.fenceSource.seq])
    #expect(record.kind == .demote && record.status == .succeeded)
  }
}
