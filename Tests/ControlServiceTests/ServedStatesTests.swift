import Foundation
import Orchestrator
import Testing

@testable import ControlService

@Suite("What a follower serves from the shared state")
struct ServedStatesTests {
  static func state(_ service: String, _ epoch: Int64, on cluster: String = "east") -> ServiceState {
    ServiceState(
      service: service, activeCluster: cluster, epoch: epoch, state: .stable, writable: true,
      updatedAt: Date(timeIntervalSince1970: Double(epoch)))
  }

  @Test func aStateIsServedOnceAndAnOlderOneNever() {
    var served = ServedStates()
    let answers = [
      Self.state("orders", 1), Self.state("orders", 1),  // the next window's re-read
      Self.state("payments", 1), Self.state("orders", 3, on: "west"),
      Self.state("orders", 2),  // a replayed older change
      Self.state("orders", 4, on: "east"),
    ].map { served.admit($0) }
    #expect(answers == [true, false, true, true, false, true])
  }
}
