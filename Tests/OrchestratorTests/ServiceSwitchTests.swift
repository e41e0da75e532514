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
    #expect(try await w.store.auditLog(limit: 10, before: nil).allSatisfy { $0.outcome.kind == .rejected })
  }

  /// A follower's promote and failback are refused and audited like every other refusal,
  /// with the time of the switch's own clock.
  @Test func aFollowerRefusesEverySwitchAndAuditsIt() async throws {
    let w = try await DecisionWorld()
    let memory = try #require(w.memory)
    await memory.setLeadership(.follower(leader: "b"))
    for action in ["promote", "failback", "demote"] {
      do {
        switch action {
        case "promote": _ = try await w.switcher.promote(service: "orders", PromoteRequest(target: "west"), actor: "t")
        case "failback":
          _ = try await w.switcher.failback(service: "orders", dryRun: false, reason: "", actor: "t", homeHealth: nil)
        default: _ = try await w.switcher.demote(service: "orders", dryRun: false, reason: "", actor: "t")
        }
        Issue.record("a follower's \(action) went through")
      } catch let e as ControlError {
        #expect(e.message.contains("not the leader"), "\(action): \(e)")
      }
    }
    let audit = try await w.store.auditLog(limit: 10, before: nil)
    #expect(Set(audit.map(\.action)) == [.requested(.promote), .requested(.failback), .requested(.demote)])
    #expect(
      audit.allSatisfy {
        $0.outcome.kind == .rejected && $0.outcome.description.hasPrefix("rejected: ")
          && $0.outcome.description.contains("not the leader")
      })
    // The journaled time is the switch's clock, not the wall clock.
    await memory.setLeadership(.leader(token: 1))
    let then = Date(timeIntervalSince1970: 1_800_000_000)
    let clocked = ServiceSwitch(topology: w.topology, store: w.store, mm2: w.mm2, kafka: w.kafka, now: { then })
    let outcome = try await clocked.promote(service: "orders", PromoteRequest(target: "west"), actor: "t")
    #expect(outcome.failover?.steps.first?.startedAt == then)
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
