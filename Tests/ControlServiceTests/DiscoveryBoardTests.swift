import Foundation
import Orchestrator
import Synchronization
import TestSupport
import Testing
import Topology

@testable import ControlService

@Suite("Discovery board: publish, long-poll, close")
struct DiscoveryBoardTests {
  static let topology = Topology(
    regions: [Region(name: "r1"), Region(name: "r2")],
    clusters: [
      Cluster(name: "a", region: "r1", bootstrapServers: "a:9092", properties: ["sasl.password": "x", "acks": "all"]),
      Cluster(name: "b", region: "r2", bootstrapServers: "b:9092"),
    ],
    flows: [Flow(source: "a", target: "b"), Flow(source: "b", target: "a")],
    services: [Service(name: "orders", primary: "a", standbys: ["b"], topics: ["orders"])])

  static func published(epoch: Int64, active: String = "a") -> PublishedDiscovery {
    let state = ServiceState(
      service: "orders", activeCluster: active, epoch: epoch, state: .stable, writable: true,
      updatedAt: Date(timeIntervalSince1970: 1_000))
    return PublishedDiscovery(DiscoveryDocument(service: topology.services[0], state: state, topology: topology))
  }

  @Test func documentLeavesSecretsOutAndNamesRemoteTopics() throws {
    let p = Self.published(epoch: 3, active: "b")
    #expect(p.document.properties == [:])
    #expect(p.document.topics.consume == ["orders", "a.orders"])
    #expect(p.etag.hasPrefix("\"3-"))
    #expect(Self.published(epoch: 1).document.properties == ["acks": "all"])
    #expect(p.matches(ifNoneMatch: p.etag))
    #expect(p.matches(ifNoneMatch: "\"x\", W/\(p.etag)"))
    #expect(!p.matches(ifNoneMatch: Self.published(epoch: 4, active: "b").etag))
  }

  @Test func aPublishWakesOnlyTheWaitersItConcerns() async throws {
    let board = DiscoveryBoard()
    board.publish(Self.published(epoch: 1))
    async let woken = board.wait("orders", for: .init(epoch: 1), timeout: .seconds(30))
    async let other = board.wait("payments", for: .init(epoch: 1), timeout: .seconds(30))
    try #require(await eventually("both wait", every: .milliseconds(5)) { board.waiting == 2 })
    board.publish(Self.published(epoch: 2, active: "b"))
    #expect(await woken?.epoch == 2)
    // The other service's waiter is still waiting.
    #expect(board.waiting == 1)
    board.close()
    #expect(await other == nil)
    #expect(board.waiting == 0)
  }

  @Test func aWaitAlreadyMetAnswersAtOnceAndATimeoutAnswersNil() async throws {
    let board = DiscoveryBoard()
    board.publish(Self.published(epoch: 5))
    #expect(await board.wait("orders", for: .init(epoch: 4), timeout: .seconds(30))?.epoch == 5)
    #expect(await board.wait("orders", for: .init(epoch: 5), timeout: .milliseconds(50)) == nil)
    #expect(await board.wait("orders", for: .init(epoch: 5), timeout: .zero) == nil)
    #expect(board.waiting == 0)
  }

  @Test func closeAnswersEveryWaiterAndLaterWaits() async throws {
    let board = DiscoveryBoard()
    board.publish(Self.published(epoch: 1))
    let waits = (0..<100).map { _ in
      Task { await board.wait("orders", for: .init(epoch: 1), timeout: .seconds(30)) }
    }
    try #require(await eventually("100 wait", every: .milliseconds(5)) { board.waiting == 100 })
    board.close()
    for w in waits { #expect(await w.value == nil) }
    #expect(await board.wait("orders", for: .init(epoch: 1), timeout: .seconds(30)) == nil)
  }

  @Test func cancellingAWaitRemovesIt() async throws {
    let board = DiscoveryBoard()
    board.publish(Self.published(epoch: 1))
    let w = Task { await board.wait("orders", for: .init(epoch: 1), timeout: .seconds(30)) }
    try #require(await eventually("it waits", every: .milliseconds(5)) { board.waiting == 1 })
    w.cancel()
    #expect(await w.value == nil)
    #expect(board.waiting == 0)
  }

  /// Records what a stream is told.
  final class Heard: Sendable {
    let events = Mutex<[String]>([])
    var all: [String] { events.withLock { $0 } }
    func listener(_ e: DiscoveryBoard.StreamEvent) {
      let text =
        switch e {
        case .document(let p): "epoch \(p.epoch)"
        case .heartbeat: "heartbeat"
        case .closed: "closed"
        }
      events.withLock { $0.append(text) }
    }
  }

  @Test func aStreamGetsEveryChangeHeartbeatsAndTheClose() throws {
    let board = DiscoveryBoard()
    board.publish(Self.published(epoch: 1))
    let heard = Heard()
    let (ticket, now) = try #require(board.subscribe("orders", listener: heard.listener))
    #expect(now?.epoch == 1)
    #expect(board.streaming == 1)
    board.publish(Self.published(epoch: 2, active: "b"))
    #expect(heard.all == ["epoch 2"])
    // The lease is 15 s, so heartbeats every 5 s: the first sweep sets the time of the
    // first, and nothing is sent before it.
    let t0 = ContinuousClock.now
    _ = board.sweep(at: t0)
    _ = board.sweep(at: t0 + .seconds(4.9))
    #expect(heard.all == ["epoch 2"])
    #expect(board.sweep(at: t0 + .seconds(5)))
    #expect(heard.all == ["epoch 2", "heartbeat"])
    _ = board.sweep(at: t0 + .seconds(10))
    #expect(heard.all == ["epoch 2", "heartbeat", "heartbeat"])
    board.close()
    #expect(heard.all.last == "closed")
    #expect(board.streaming == 0)
    #expect(board.subscribe("orders", listener: heard.listener) == nil)
    board.cancel(ticket)  // harmless after the close
  }

  @Test func aCancelledStreamOrParkedPollHearsNothingMore() {
    let board = DiscoveryBoard()
    board.publish(Self.published(epoch: 1))
    let heard = Heard()
    let (ticket, _) = board.subscribe("orders", listener: heard.listener)!
    let answered = Mutex(0)
    guard
      case .parked(let poll) = board.park(
        "orders", for: .init(epoch: 1), timeout: .seconds(30),
        answer: { _ in
          answered.withLock { $0 += 1 }
        })
    else {
      Issue.record("a poll for the current epoch must park")
      return
    }
    #expect(board.waiting == 1)
    board.cancel(ticket)
    board.cancel(poll)
    board.publish(Self.published(epoch: 2, active: "b"))
    #expect(heard.all.isEmpty)
    #expect(answered.withLock { $0 } == 0)
    #expect(board.waiting == 0 && board.streaming == 0)
  }
}
