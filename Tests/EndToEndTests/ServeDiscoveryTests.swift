import CurlHTTP
import Foundation
import TestSupport
import Testing

@Suite("failoverctl serve: discovery", .serialized)
struct ServeDiscoveryTests {
  @Test func discoveryETagLongPollAndUnknownService() async throws {
    let f = try await ServeFixture.start()
    let first = try await f.get("/v1/services/orders/discovery")
    #expect(first.status == 200)
    let doc = try json(first)
    #expect(doc["service"] as? String == "orders")
    #expect(doc["epoch"] as? Int == 1)
    #expect(doc["state"] as? String == "stable")
    #expect(doc["mode"] as? String == "active-passive")
    let active = try #require(doc["active"] as? [String: Any])
    #expect(active["cluster"] as? String == "east")
    #expect((active["bootstrapServers"] as? String)?.contains("127.0.0.1:") == true)
    let topics = try #require(doc["topics"] as? [String: Any])
    #expect(topics["produce"] as? [String] == ["orders"])
    // On east, the copies of west's records (after a failback) are west.orders.
    #expect(topics["consume"] as? [String] == ["orders", "west.orders"])
    let etag = try #require(first.header("ETag"))
    #expect(etag.hasPrefix("\"1-"))

    let same = try await f.get("/v1/services/orders/discovery", headers: [HTTPHeader("If-None-Match", etag)])
    #expect(same.status == 304)
    #expect(same.body.isEmpty)

    let unknown = try await f.get("/v1/services/ordres/discovery")
    #expect(unknown.status == 404)
    #expect(try json(unknown)["error"] as? String == "not-found")
    #expect((try json(unknown)["message"] as? String)?.contains("did you mean \"orders\"") == true)

    // A long-poll that times out answers 304.
    let idle = try await f.get("/v1/services/orders/discovery?wait=1&epoch=1")
    #expect(idle.status == 304)

    // A long-poll for the current epoch is woken by a promote, long before its 30 s end.
    async let polled = f.get("/v1/services/orders/discovery?wait=30&epoch=1", timeout: .seconds(40))
    #expect(
      try await eventually("the long-poll is held", timeout: .seconds(10), every: .milliseconds(20)) {
        try await f.longPollsWaiting() == 1
      })
    let promote = try await f.post("/v1/services/orders/promote", #"{"to": "west", "reason": "test"}"#)
    #expect(promote.status == 202, "\(promote.text)")
    let woken = try await polled
    // 200, not the 304 a long-poll that ran to its end answers: the promote woke it.
    #expect(woken.status == 200)
    // The first change is the fence: east stops taking writes (epoch 2); then west (epoch 3).
    let fenced = try document(woken)
    #expect(fenced.epoch >= 2)
    if fenced.epoch == 2 { #expect(!fenced.active.writable && fenced.state == .failingOver) }
    let next = try await f.get("/v1/services/orders/discovery?wait=30&epoch=2", timeout: .seconds(40))
    let moved = try document(next)
    #expect(moved.epoch == 3 && moved.active.cluster == "west")
    #expect(moved.topics.consume == ["orders", "east.orders"])
    #expect(next.header("ETag") != etag)
    // An old epoch is answered at once.
    let stale = try await f.get("/v1/services/orders/discovery?wait=30&epoch=1")
    #expect(stale.status == 200)

    let bad = try await f.get("/v1/services/orders/discovery?wait=soon&epoch=1")
    #expect(bad.status == 422)
    #expect((try json(bad)["fields"] as? [[String: Any]])?.first?["field"] as? String == "wait")
    _ = await f.stop()
  }

  @Test func restartKeepsEpochAndActiveClusterAndSIGTERMIsClean() async throws {
    var f = try await ServeFixture.start()
    #expect(
      try await f.switchOver("/v1/services/payments/promote", #"{"to": "west"}"#).status == .succeeded)
    #expect(try await f.post("/v1/services/orders/demote", #"{"reason": "maintenance"}"#).status == 200)

    // Requests in flight when SIGTERM arrives finish whole: the long-poll is answered.
    let first = f
    async let poll = first.get("/v1/services/payments/discovery?wait=30&epoch=3", timeout: .seconds(40))
    #expect(
      try await eventually("the long-poll is held", timeout: .seconds(10), every: .milliseconds(20)) {
        try await first.longPollsWaiting() == 1
      })
    let (status, stderr) = await first.server.stop()
    let answered = try await poll
    #expect(answered.status == 304)
    #expect(status == 0, "serve exited \(status): \(stderr)")

    f.server = try await ServeProcess.start(config: f.topology, db: f.db)
    let payments = try await f.discovery("payments")
    #expect(payments.epoch == 3 && payments.active.cluster == "west")
    let orders = try await f.discovery("orders")
    #expect(orders.epoch == 2 && orders.state == .failingOver && !orders.active.writable)
    // A promote of the demoted cluster ends the demotion (fence, then switch: epoch 4).
    #expect(
      try await f.switchOver("/v1/services/orders/promote", #"{"to": "east"}"#).status == .succeeded)
    let back = try await f.discovery("orders")
    #expect(back.epoch == 4 && back.active.writable)
    let (again, err) = await f.stop()
    #expect(again == 0, "\(err)")
  }
}
