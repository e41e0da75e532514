import Foundation
import GRDB
import HealthProbes
import Topology

extension StateStore {
  /// Stores results and drops those older than `retention`, in one transaction.
  public func record(_ results: [ProbeResult], retention: Duration) async throws {
    guard !results.isEmpty else { return }
    let cutoff = Date().addingTimeInterval(-(retention / .seconds(1)))
    try await write { db in
      let insert = try db.cachedStatement(
        sql:
          "INSERT INTO probe_result (kind, subject, vantage, state, reasons, latency_ms, at) VALUES (?, ?, ?, ?, ?, ?, ?)"
      )
      for r in results {
        let reasons = String(decoding: try JSONEncoder().encode(r.reasons), as: UTF8.self)
        try insert.execute(arguments: [
          r.kind.rawValue, r.subject, r.vantage, r.state.rawValue, reasons, r.latencyMilliseconds, r.at,
        ])
      }
      try db.execute(sql: "DELETE FROM probe_result WHERE at < ?", arguments: [cutoff])
    }
  }

  /// The newest `perProbe` results of every (subject, kind, vantage), oldest first, to
  /// replay through a `HealthModel`.
  public func recentProbeResults(perProbe: Int = 20) async throws -> [ProbeResult] {
    try await read { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT kind, subject, vantage, state, reasons, latency_ms, at FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY subject, kind, vantage ORDER BY id DESC) AS n FROM probe_result
          ) WHERE n <= ? ORDER BY id
          """, arguments: [perProbe])
      return rows.compactMap(Self.probeResult)
    }
  }

  /// Every stored result, oldest first: the history `policy simulate` replays.
  public func probeHistory() async throws -> [ProbeResult] {
    try await read { db in
      try Row.fetchAll(
        db, sql: "SELECT kind, subject, vantage, state, reasons, latency_ms, at FROM probe_result ORDER BY at, id"
      ).compactMap(Self.probeResult)
    }
  }

  /// A stored result; nil for a kind this build does not run (a row of a newer build).
  private static func probeResult(_ r: Row) -> ProbeResult? {
    guard let kind = ProbeKind(rawValue: r["kind"]) else { return nil }
    let reasons = (try? JSONDecoder().decode([String].self, from: Data((r["reasons"] as String).utf8))) ?? []
    return ProbeResult(
      kind: kind, subject: r["subject"], state: HealthState(rawValue: r["state"]) ?? .unreachable,
      reasons: reasons, latencyMilliseconds: r["latency_ms"], vantage: r["vantage"], at: r["at"])
  }
}
