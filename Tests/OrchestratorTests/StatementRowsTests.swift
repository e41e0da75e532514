import GRDB
import Testing

@testable import Orchestrator

/// Rows bound through SQLite's C API (the MM2 ingest's upsert): what they write, and that a
/// value that cannot be bound stops the write instead of storing the previous row's value.
@Suite("Rows bound through SQLite's C API")
struct StatementRowsTests {
  @Test func everyRowIsWrittenWithItsOwnValues() throws {
    let db = try DatabaseQueue()
    try db.write { db in
      try db.execute(sql: "CREATE TABLE t (name TEXT NOT NULL, n INTEGER NOT NULL)")
      let insert = try db.cachedStatement(sql: "INSERT INTO t (name, n) VALUES (?, ?)")
      try insert.executeRows([("a", 1), ("é ü", 2), ("", Int64.max)]) { row, v in
        try row.bind(1, v.0)
        try row.bind(2, v.1)
      }
    }
    let rows = try db.read { db in try Row.fetchAll(db, sql: "SELECT name, n FROM t ORDER BY rowid") }
    #expect(rows.map { $0[0] as String } == ["a", "é ü", ""])
    #expect(rows.map { $0[1] as Int64 } == [1, 2, Int64.max])
  }

  @Test func aValueThatCannotBeBoundStopsTheWriteAndNothingIsKept() throws {
    let db = try DatabaseQueue()
    try db.write { db in try db.execute(sql: "CREATE TABLE t (name TEXT NOT NULL, n INTEGER NOT NULL)") }
    #expect(throws: DatabaseError.self) {
      try db.write { db in
        let insert = try db.cachedStatement(sql: "INSERT INTO t (name, n) VALUES (?, ?)")
        try insert.executeRows([1, 2]) { row, i in
          try row.bind(1, "row \(i)")
          // The second row binds a parameter the statement does not have.
          try row.bind(i == 1 ? 2 : 3, Int64(i))
        }
      }
    }
    #expect(try db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM t") } == 0)
  }
}
