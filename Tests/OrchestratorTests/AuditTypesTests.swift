import Foundation
import Orchestrator
import Testing

/// The audit log's actions and outcomes are types inside and the same text outside
/// (SQLite, etcd, the API): each reads back as what was written, and text written by
/// another version is kept whole.
@Suite("Audit actions and outcomes")
struct AuditTypesTests {
  @Test func everyActionReadsBackFromItsText() {
    let all: [AuditAction] =
      FailoverKind.allCases.flatMap { [.requested($0), .finished($0), .rolledBack($0)] } + [
        .abort, .ack, .resume, .recover, .recoverFinish, .drill, .dbInit, .offsetsApply,
      ]
    for a in all { #expect(AuditAction(parsing: a.description) == a, "\(a)") }
    #expect(Set(all.map(\.description)).count == all.count)
    #expect(AuditAction.finished(.promote).description == "promote.finish")
    #expect(AuditAction(parsing: "config.reload") == .unrecognized("config.reload"))
  }

  @Test func outcomesKeepTheirKindAndDetail() throws {
    #expect(AuditOutcome.rejected("not the leader").description == "rejected: not the leader")
    #expect(AuditOutcome(parsing: "rejected: not the leader") == .rejected("not the leader"))
    #expect(AuditOutcome(parsing: "dry-run") == .dryRun)
    #expect(AuditOutcome(parsing: "failed: a: b") == .failed("a: b"))
    #expect(AuditOutcome(parsing: "ok") == .ok && AuditOutcome(.ok, "").description == "ok")
    let other = AuditOutcome(parsing: "postponed until Monday")
    #expect(other.kind == .unrecognized && other.description == "postponed until Monday")
    // JSON: a plain string, as before the types.
    let entry = AuditEntry(
      id: 1, at: Date(timeIntervalSince1970: 0), actor: "op", action: .finished(.failover), subject: "orders",
      outcome: .failed("drain timed out"))
    let json = String(decoding: try JSONEncoder().encode(entry), as: UTF8.self)
    #expect(json.contains(#""action":"failover.finish""#) && json.contains(#""outcome":"failed: drain timed out""#))
    #expect(try JSONDecoder().decode(AuditEntry.self, from: Data(json.utf8)) == entry)
  }
}
