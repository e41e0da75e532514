import CurlHTTP
import Etcd
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("etcd's JSON gateway through libcurl, against real members", .serialized)
struct EtcdClientTests {
  @Test func keysTransactionsAndLeasesBehaveAsEtcdSays() async throws {
    let f = try await EtcdFixture(count: 1)
    defer { f.members.stop() }
    let c = f.client()
    let key = f.prefix + "k"
    let rev = try await c.put(key, "v1")
    #expect(rev > 0)
    let kv = try #require(try await c.get(key))
    #expect(kv.text == "v1" && kv.createRevision == rev && kv.modRevision == rev)
    // A txn whose comparison fails leaves the key as it was and says so (no `succeeded`).
    let lost = try await c.txn(
      EtcdTxnRequest(compare: [.modRevision(key, rev + 100)], success: [.put(key, "v2")], failure: [.range(key)]))
    #expect(!lost.ok)
    #expect(try await c.get(key)?.text == "v1")
    let won = try await c.txn(EtcdTxnRequest(compare: [.modRevision(key, rev)], success: [.put(key, "v2")]))
    #expect(won.ok)
    #expect(try await c.prefix(f.prefix).map(\.text) == ["v2"])
    // A lease keeps its key alive while renewed; once expired, keepalive says so and the key is gone.
    let lease = try await c.grant(ttl: 2)
    try await c.put(f.prefix + "leased", "x", lease: lease)
    #expect(try await c.keepAlive(lease) != nil)
    // Polled by reading the key, not by keepalive, which would renew the lease.
    #expect(
      try await eventually("the 2 s lease expired", timeout: .seconds(15)) {
        try await c.get(f.prefix + "leased") == nil
      })
    #expect(try await c.keepAlive(lease) == nil)
  }

  @Test func aDeadMemberCostsOneTimeoutThenTheOthersAnswer() async throws {
    let f = try await EtcdFixture(count: 3)
    defer { f.members.stop() }
    let c = f.client()
    try await c.put(f.prefix + "a", "1")
    f.members.kill(0)
    #expect(try await c.get(f.prefix + "a")?.text == "1")
    #expect(c.current != f.members.endpoints[0])
    // Every endpoint dead: a typed error naming each.
    let dead = f.client([f.members.endpoints[0]])
    do {
      _ = try await dead.get(f.prefix + "a")
      Issue.record("a dead endpoint must not answer")
    } catch let e as EtcdError {
      #expect(e.code == .unavailable)
    }
  }

  /// A watch from a snapshot's next revision gets each put and delete under the prefix as
  /// it happens, ends at its window, and says so when its revision was compacted away.
  @Test func aWatchGetsEveryChangeFromItsRevisionAndReportsACompaction() async throws {
    let f = try await EtcdFixture(count: 1)
    defer { f.members.stop() }
    let c = f.client()
    try await c.put(f.prefix + "w/a", "1")
    let (values, revision) = try await c.snapshot(f.prefix + "w/")
    #expect(values.map(\.text) == ["1"])
    let seen = Mutex<[String]>([])
    let watching = Task {
      try await c.watch(prefix: f.prefix + "w/", from: revision + 1, window: .seconds(3)) { events, _ in
        seen.withLock { s in s += events.map { ($0.isDelete ? "-" : "+") + $0.kv.key.text.suffix(1) } }
        return true
      }
    }
    // No wait for the watch to start: it reads from `revision + 1`, so it misses nothing
    // written before it connects.
    try await c.put(f.prefix + "w/b", "2")
    try await c.put(f.prefix + "other", "not watched")
    _ = try await c.txn(EtcdTxnRequest(compare: [], success: [.delete(f.prefix + "w/a")]))
    #expect(try await watching.value == .windowEnded)
    #expect(seen.withLock { $0 } == ["+b", "-a"])

    // Compact past the revision: a watch from it is told to read again.
    let now = try await c.put(f.prefix + "w/c", "3")
    _ = try await HTTPClient().post(
      f.members.endpoints[0] + "/v3/kv/compaction", body: Array(#"{"revision": "\#(now)"}"#.utf8))
    let end = try await c.watch(prefix: f.prefix + "w/", from: revision, window: .seconds(3)) { _, _ in true }
    #expect(end == .compacted(now))
  }
}
