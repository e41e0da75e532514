import Testing

@testable import Orchestrator

/// When a follower calls a leader silent: a whole TTL on its own clock after it first saw
/// the leader's newest renewal, never sooner, and never for a renewal or leader it has not
/// timed yet.
@Suite("A follower's timing of the leader's renewals")
struct RenewalWatchTests {
  let t0 = ContinuousClock.now

  @Test func aLeaderIsSilentAWholeTTLAfterItsLastRenewalWasFirstSeen() {
    var watch = RenewalWatch(ttl: .seconds(5))
    #expect(watch.observe(token: 7, renewal: 100, at: t0) == .renewing)
    #expect(watch.observe(token: 7, renewal: 100, at: t0 + .milliseconds(4999)) == .renewing)
    #expect(watch.observe(token: 7, renewal: 100, at: t0 + .seconds(5)) == .silent(token: 7, renewal: 100))
  }

  @Test func aNewRenewalStartsTheCountAgain() {
    var watch = RenewalWatch(ttl: .seconds(5))
    _ = watch.observe(token: 7, renewal: 100, at: t0)
    #expect(watch.observe(token: 7, renewal: 101, at: t0 + .seconds(4)) == .renewing)
    #expect(watch.observe(token: 7, renewal: 101, at: t0 + .seconds(8)) == .renewing)
    #expect(watch.observe(token: 7, renewal: 101, at: t0 + .seconds(9)) == .silent(token: 7, renewal: 101))
  }

  @Test func aNewLeaderIsTimedFromWhenItIsFirstSeen() {
    var watch = RenewalWatch(ttl: .seconds(5))
    _ = watch.observe(token: 7, renewal: 100, at: t0)
    // Same entry revision, another leader key: not the renewal that was timed.
    #expect(watch.observe(token: 9, renewal: 100, at: t0 + .seconds(6)) == .renewing)
    #expect(watch.observe(token: 9, renewal: 100, at: t0 + .seconds(10)) == .renewing)
    #expect(watch.observe(token: 9, renewal: 100, at: t0 + .seconds(11)) == .silent(token: 9, renewal: 100))
  }

  @Test func afterATakeoverNothingIsTimed() {
    var watch = RenewalWatch(ttl: .seconds(5))
    _ = watch.observe(token: 7, renewal: 100, at: t0)
    watch.reset()
    #expect(watch.observe(token: 7, renewal: 100, at: t0 + .seconds(60)) == .renewing)
  }
}
