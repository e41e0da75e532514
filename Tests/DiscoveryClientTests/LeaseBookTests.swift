import DiscoveryClient
import Foundation
import Testing

@Suite("The client's lease: what it may do, and when that changes")
struct LeaseBookTests {
  static func doc(epoch: Int64, cluster: String = "east", writable: Bool = true, lease: Int? = 15) -> DiscoveryView {
    DiscoveryView(
      service: "orders", epoch: epoch, state: writable ? "stable" : "failing-over", mode: "active-passive",
      active: .init(cluster: cluster, region: cluster, bootstrapServers: "\(cluster):9092", writable: writable),
      properties: [:], topics: .init(produce: ["orders"], consume: ["orders"], pattern: nil),
      consumerGroups: ["g"], leaseSeconds: lease)
  }

  @Test func writesStopWhenTheLeaseRunsOutAndResumeWhenAServerIsHeard() throws {
    var book = LeaseBook()
    let t0 = ContinuousClock.now
    let nothing = book.check(now: t0 + .seconds(100))
    #expect(nothing == nil)  // nothing held: nothing to expire
    let first = book.received(Self.doc(epoch: 1), at: t0)
    #expect(first?.writesAllowed == true)
    let inTime = book.check(now: t0 + .seconds(15))
    let renewed = book.confirmed(at: t0 + .seconds(10))  // renewed: no change to report
    let stillInTime = book.check(now: t0 + .seconds(25))
    #expect(inTime == nil && renewed == nil && stillInTime == nil)
    let lapsedState = book.check(now: t0 + .seconds(25.1))
    let lapsed = try #require(lapsedState)
    #expect(!lapsed.writesAllowed && lapsed.reason.contains("lease of 15 s ran out"))
    let again = book.check(now: t0 + .seconds(40))
    #expect(again == nil)  // reported once
    let backState = book.confirmed(at: t0 + .seconds(41))
    let back = try #require(backState)
    #expect(back.writesAllowed && back.document.epoch == 1)
  }

  @Test func onlyNewerEpochsAreNewsAndAFenceStopsWrites() throws {
    var book = LeaseBook()
    let t0 = ContinuousClock.now
    _ = book.received(Self.doc(epoch: 2), at: t0)
    let same = book.received(Self.doc(epoch: 2), at: t0)
    let older = book.received(Self.doc(epoch: 1, cluster: "west"), at: t0)
    #expect(same == nil && older == nil)
    let fencedState = book.received(Self.doc(epoch: 3, writable: false), at: t0)
    let fenced = try #require(fencedState)
    #expect(!fenced.writesAllowed && fenced.reason == "east is fenced (failing-over)")
    let movedState = book.received(Self.doc(epoch: 4, cluster: "west"), at: t0)
    let moved = try #require(movedState)
    #expect(moved.writesAllowed && moved.document.active.cluster == "west")
  }

  @Test func aShortLeaseFromTheDocumentIsTheOneCounted() throws {
    var book = LeaseBook()
    let t0 = ContinuousClock.now
    _ = book.received(Self.doc(epoch: 1, lease: 2), at: t0)
    let lapsed = book.check(now: t0 + .seconds(2.5))
    #expect(lapsed != nil)
    var old = LeaseBook()
    _ = old.received(Self.doc(epoch: 1, lease: nil), at: t0)  // a server from before leases
    let early = old.check(now: t0 + .seconds(14))
    let late = old.check(now: t0 + .seconds(16))
    #expect(early == nil && late != nil)
  }
}
