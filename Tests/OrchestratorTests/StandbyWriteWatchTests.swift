import Foundation
import HealthProbes
import Orchestrator
import Testing

@Suite("The standby-writes probe's baselines")
struct StandbyWriteWatchTests {
  @Test func growthOnAStandbyIsReportedWithItsPartitionsAndABaselineStartsOverWhenTheActiveChanges() {
    var watch = StandbyWriteWatch()
    let t0 = Date()
    var f = watch.observe(
      service: "orders", cluster: "west", active: "east", high: [("orders", 0, 10), ("orders", 1, 4)], at: t0)
    #expect(f.state == .healthy && f.records == 0 && f.watchedSince == t0)
    f = watch.observe(
      service: "orders", cluster: "west", active: "east", high: [("orders", 0, 10), ("orders", 1, 4)], at: t0)
    #expect(f.state == .healthy)
    f = watch.observe(
      service: "orders", cluster: "west", active: "east",
      high: [("orders", 0, 13), ("orders", 1, 4), ("orders", 2, 9)],
      at: t0)
    #expect(f.state == .degraded && f.records == 3)
    #expect(f.partitions == [.init(topic: "orders", partition: 0, records: 3)])
    // Stays reported: the records are still there.
    f = watch.observe(service: "orders", cluster: "west", active: "east", high: [("orders", 0, 13)], at: t0)
    #expect(f.records == 3)
    // The service moved to west: the probe watches east now, from then on.
    let t1 = t0.addingTimeInterval(60)
    watch.keep(service: "orders", clusters: ["east"])
    f = watch.observe(service: "orders", cluster: "east", active: "west", high: [("orders", 0, 500)], at: t1)
    #expect(f.state == .healthy && f.watchedSince == t1)
    f = watch.observe(service: "orders", cluster: "east", active: "west", high: [("orders", 0, 502)], at: t1)
    #expect(f.state == .degraded && f.records == 2)
    // And back: west starts over from what it holds then.
    let t2 = t1.addingTimeInterval(60)
    watch.keep(service: "orders", clusters: ["west"])
    f = watch.observe(service: "orders", cluster: "west", active: "east", high: [("orders", 0, 20)], at: t2)
    #expect(f.state == .healthy && f.watchedSince == t2)
    // Even without being told, a change of the active cluster starts a new baseline.
    f = watch.observe(service: "orders", cluster: "west", active: "central", high: [("orders", 0, 25)], at: t2)
    #expect(f.state == .healthy)
  }
}
