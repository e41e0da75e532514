import Foundation
import GRDB
import KafkaClient
import MM2
import Orchestrator
import TestSupport
import Testing

/// Recovering the tail through the built server: once, resumed after a kill, begun by an
/// instance that is gone, into quarantine, and from the console in a browser. A suite of its
/// own beside "Divergence after an unplanned failover", so that the two run side by side.
@Suite("Recovery of the tail through the built server", .serialized)
struct RecoveryServeTests {
  /// East failed over with a tail and back; a recovery asked for, and the server killed by
  /// the failpoint right after its first batch (all 8 records) was written, before its
  /// journal entry.
  static func killedAfterTheFirstBatch() async throws -> AutoFailoverTests.Running {
    let r = try await DivergenceTests.eastWithATail(environment: ["FAILOVERCTL_FAILPOINTS": "after:recovery-batch"])
    try await DivergenceTests.failedOverAndBack(r)
    let accepted = try await r.fixture.post("/v1/services/orders/recover", #"{"reason": "kill me"}"#)
    #expect(accepted.status == 202, "\(accepted.text)")
    #expect(await r.fixture.server.exited(within: .seconds(60)) == 86, "the failpoint did not end the server")
    #expect(try await DivergenceTests.recovered(r) == Array(12..<20))
    return r
  }
  /// Recover into west's own orders: every record once, with its origin; asking again is
  /// refused; the divergence says it was recovered and the metric drops to 0.
  @Test func theTailIsRecoveredOnceIntoTheActiveTopic() async throws {
    let r = try await DivergenceTests.eastWithATail()
    defer { r.fixture.server.forceKill() }
    let f = r.fixture
    try await DivergenceTests.failedOverAndBack(r)
    let operatorToken = ["--server", f.server.url, "--token", ServeFixture.tokens["operator"]!]
    let plan = try await Failoverctl.run(["recover", "orders", "--dry-run"] + operatorToken)
    #expect(plan.status == 0 && plan.stdout.contains("would copy 8 records"), "\(plan.stdout)\(plan.stderr)")
    #expect(plan.stdout.contains("12..<20") && plan.stdout.contains("orders[0]"), "\(plan.stdout)")
    let done = try await Failoverctl.run(["recover", "orders", "--yes", "--reason", "east is back"] + operatorToken)
    #expect(done.status == 0 && done.stdout.contains("succeeded, 8 of 8 records"), "\(done.stdout)\(done.stderr)")
    #expect(try await DivergenceTests.recovered(r) == Array(12..<20))
    let again = try await Failoverctl.run(["recover", "orders", "--yes"] + operatorToken)
    #expect(again.status == 75 && again.stderr.contains("already copied the tail"), "\(again.stderr)")
    let view = try await f.divergence("orders")
    #expect(view.divergence?.recovered == 8, "\(view)")
    let zero = try await eventually("the metric counts nothing left unrecovered") {
      try await f.get("/metrics").text.contains(
        #"kafka_failover_unreplicated_records{service="orders",topic="orders"} 0"#)
    }
    #expect(zero)
    let audit = try await f.get("/v1/audit", as: "viewer").text
    #expect(audit.contains("recover.finish"))
    _ = await f.server.stop()
  }

  /// The server is killed right after a batch was written and before its progress was
  /// journaled; started again, it resumes the recovery and copies nothing twice.
  @Test func aRecoveryKilledMidwayIsResumedWithoutDuplicates() async throws {
    var r = try await Self.killedAfterTheFirstBatch()
    defer { r.fixture.server.forceKill() }
    r.fixture.server = try await ServeProcess.start(config: r.fixture.topology, db: r.fixture.db)
    struct Recoveries: Decodable { let recoveries: [RecoveryRecord] }
    var recovery: RecoveryRecord?
    let finished = try await eventually("the resumed recovery ends") {
      recovery = try decoded(
        try await r.fixture.get("/v1/recoveries?service=orders", as: "viewer"), as: Recoveries.self
      ).recoveries.first
      return recovery?.status == .succeeded
    }
    #expect(finished, "\(String(describing: recovery))")
    #expect(try await DivergenceTests.recovered(r) == Array(12..<20))
    #expect(recovery?.partitions.first?.copied == 8, "\(String(describing: recovery))")
    _ = await r.fixture.server.stop()
  }

  /// Coordinated mode's case, played in one process: the instance that journaled the
  /// recovery is gone with its journal (here: the rows deleted) after copying the tail, and
  /// the shared audit log says a recovery began. Asked again, the recovery reads the
  /// destination from where it stood at the failover, finds the copies by their origin
  /// headers, and writes none twice.
  @Test func aRecoveryBegunByAnInstanceThatIsGoneCopiesNothingTwice() async throws {
    var r = try await Self.killedAfterTheFirstBatch()
    defer { r.fixture.server.forceKill() }
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    try await DatabaseQueue(path: r.fixture.db, configuration: configuration).write { db in
      try db.execute(sql: "DELETE FROM recovery_partition; DELETE FROM recovery")
    }
    r.fixture.server = try await ServeProcess.start(config: r.fixture.topology, db: r.fixture.db)
    let again = try await r.fixture.post("/v1/services/orders/recover", #"{"reason": "the next leader"}"#)
    let id = try decoded(again, as: RecoveryRecord.self).id
    var recovery: RecoveryRecord?
    let finished = try await eventually("the second recovery ends") {
      recovery = try await r.fixture.recovery(id)
      return recovery?.status == .succeeded
    }
    #expect(finished, "\(String(describing: recovery))")
    #expect(try await DivergenceTests.recovered(r) == Array(12..<20))
    #expect(recovery?.partitions.first?.copied == 8, "\(String(describing: recovery))")
    _ = await r.fixture.server.stop()
  }

  /// The console's tails section and its Recover action in a real browser
  /// (Tests/Console/console_recover.py): a viewer refused, an operator's plan, typed name,
  /// the copy, the audit.
  @Test func theConsoleShowsTheTailAndRecoversIt() async throws {
    try ConsoleTests.requireBrowser()
    let r = try await DivergenceTests.eastWithATail()
    defer { r.fixture.server.forceKill() }
    try await DivergenceTests.failedOverAndBack(r)
    let (status, out, err) = try await ConsoleTests.run(
      Failoverctl.packageRoot.appendingPathComponent("Tests/Console/console_recover.py"), r.fixture, [],
      within: .seconds(180))
    #expect(status == 0, "\(out)\n\(err)")
    #expect(out.contains("console check passed"))
    #expect(try await DivergenceTests.recovered(r) == Array(12..<20))
    _ = await r.fixture.server.stop()
  }

  /// Into quarantine: the policy's quarantine topic, not the service's own.
  @Test func theTailCanBeRecoveredIntoQuarantine() async throws {
    let r = try await DivergenceTests.eastWithATail()
    defer { r.fixture.server.forceKill() }
    try r.lab.region("west")!.cluster!.createTopic("orders.recovered", partitions: 6)
    try await DivergenceTests.failedOverAndBack(r)
    let done = try decoded(
      try await r.fixture.post("/v1/services/orders/recover", #"{"into": "quarantine", "reason": "look first"}"#),
      as: RecoveryRecord.self)
    #expect(done.into == .quarantine, "\(done)")
    let finished = try await eventually("the recovery ends") {
      try await r.fixture.recovery(done.id).status == .succeeded
    }
    #expect(finished)
    #expect(try await DivergenceTests.recovered(r, topic: "orders.recovered") == Array(12..<20))
    #expect(try await DivergenceTests.recovered(r).isEmpty)
    _ = await r.fixture.server.stop()
  }
}
