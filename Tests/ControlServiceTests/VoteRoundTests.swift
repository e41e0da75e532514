import Testing

@testable import ControlService

/// How often an instance exchanges vantage votes: a verdict waits a round to be written
/// and one to be read, so the rounds follow the probes where they are faster than the
/// lease's renewal.
@Suite("Vantage vote rounds")
struct VoteRoundTests {
  @Test func votesAreExchangedAsOftenAsProbesOrRenewalsWhicheverIsSooner() {
    // A 5 s lease renews every 5/3 s; 1 s probes give a verdict each second.
    #expect(VoteRound.interval(controlPlane: .milliseconds(1667), probes: .seconds(1)) == .seconds(1))
    // Defaults: a 10 s lease (3.3 s) and 5 s probes: the renewal period.
    #expect(VoteRound.interval(controlPlane: .milliseconds(3333), probes: .seconds(5)) == .milliseconds(3333))
    // Very fast probes do not turn the exchange into a busy loop against etcd.
    #expect(VoteRound.interval(controlPlane: .seconds(1), probes: .milliseconds(50)) == .milliseconds(250))
  }
}
