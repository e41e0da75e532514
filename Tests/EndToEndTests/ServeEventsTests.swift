import CurlHTTP
import DiscoveryClient
import Foundation
import TestSupport
import Testing

@Suite("failoverctl serve: discovery pushed as server-sent events", .serialized)
struct ServeEventsTests {
  @Test func aStreamSeesThePromoteAndAReconnectReplaysNothingOldAndMissesNothingNew() async throws {
    let f = try await ServeFixture.start(leaseSeconds: 3)
    let url = f.server.url + "/v1/services/orders/events"
    let first = EventStreamRecorder(url)
    #expect(await first.wait { $0.count == 1 })
    #expect(first.ids == [1])
    let doc = try DiscoveryView.decode(Array(first.events[0].data.utf8))
    #expect(doc.active.cluster == "east" && doc.leaseSeconds == 3)

    // A reconnect behind the stream, at the epoch it had, before any change: nothing yet.
    let resumed = EventStreamRecorder(url, lastEventID: 1)
    // Connected before the promote (its first heartbeat says so): on a loaded machine the
    // connection can otherwise come after the fence, and rightly miss epoch 2.
    _ = await eventually("the resumed stream's first heartbeat", timeout: .seconds(10), every: .milliseconds(50)) {
      resumed.heartbeats > 0
    }
    #expect(resumed.heartbeats > 0 && resumed.events.isEmpty)
    // A client that went away at epoch 1 and comes back after the promote.
    let promote = try await f.post("/v1/services/orders/promote", #"{"to": "west", "reason": "test"}"#)
    #expect(promote.status == 202, "\(promote.text)")
    #expect(await first.wait { $0.last?.id == "3" })
    #expect(first.ids == [1, 2, 3])
    let fenced = try DiscoveryView.decode(Array(first.events[1].data.utf8))
    #expect(!fenced.active.writable && fenced.active.cluster == "east")
    let moved = try DiscoveryView.decode(Array(first.events[2].data.utf8))
    #expect(moved.active.writable && moved.active.cluster == "west")
    #expect(await resumed.wait { $0.last?.id == "3" })
    #expect(resumed.ids == [2, 3])
    let late = EventStreamRecorder(url, lastEventID: 1)
    #expect(await late.wait { !$0.isEmpty })
    #expect(late.ids == [3])  // nothing old: the current document sums up what it missed
    let current = EventStreamRecorder(url, lastEventID: 3)
    // Heartbeats at a third of the 3 s lease: the stream is live though nothing changes.
    #expect(
      await eventually("two heartbeats", timeout: .seconds(10), every: .milliseconds(50)) { current.heartbeats >= 2 })
    #expect(current.events.isEmpty)
    let demote = try await f.post("/v1/services/orders/demote", #"{"reason": "test"}"#)
    #expect(demote.status == 200 || demote.status == 202, "\(demote.text)")
    #expect(await current.wait { !$0.isEmpty })
    #expect(current.ids == [4])  // and nothing new missed
    for r in [first, resumed, late, current] { await r.stop() }

    let bad = try await f.get("/v1/services/orders/events", headers: [HTTPHeader("Last-Event-ID", "three")])
    #expect(bad.status == 400)
    #expect((try json(bad)["message"] as? String)?.hasPrefix("Last-Event-ID: expected the id") == true)
    let unknown = try await f.get("/v1/services/ordres/events")
    #expect(unknown.status == 404)
    #expect((try json(unknown)["message"] as? String)?.contains("did you mean \"orders\"") == true)
    let metrics = try await f.get("/metrics")
    #expect(metrics.text.contains(#"route="/v1/services/{name}/events",method="GET",code="200""#))
    _ = await f.stop()
  }
}
