import Foundation
import GRDB
import GRDBSQLite

extension Statement {
  /// Runs this (cached, prepared) statement once per element, binding through SQLite's C
  /// API. GRDB's `execute(arguments:)` builds a `StatementArguments` of boxed values for
  /// every row: about 15 % of ingesting MM2 checkpoints (perf), which runs on every batch.
  /// The statement is left reset with no bindings, as GRDB expects it.
  func executeRows<S: Sequence>(_ rows: S, bind: (RowBinder, S.Element) throws -> Void) throws {
    let statement = sqliteStatement
    defer {
      sqlite3_reset(statement)
      sqlite3_clear_bindings(statement)
    }
    let binder = RowBinder(statement: statement)
    for row in rows {
      sqlite3_reset(statement)
      try bind(binder, row)
      let code = sqlite3_step(statement)
      guard code == SQLITE_DONE else { throw binder.error(code, sql: sql) }
    }
  }
}

/// Binds one row's values by position (1-based, as SQLite counts).
struct RowBinder {
  let statement: SQLiteStatement
  /// SQLite copies the text: the Swift string's buffer is gone when the row is stepped.
  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

  /// A value that cannot be bound throws: stepping anyway would write the previous row's
  /// value in its place.
  func bind(_ index: Int32, _ value: String) throws {
    try check(value.withCString { sqlite3_bind_text(statement, index, $0, -1, Self.transient) })
  }

  func bind(_ index: Int32, _ value: Int64) throws { try check(sqlite3_bind_int64(statement, index, value)) }

  private func check(_ code: Int32) throws {
    guard code == SQLITE_OK else { throw error(code, sql: nil) }
  }

  func error(_ code: Int32, sql: String?) -> DatabaseError {
    DatabaseError(
      resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))),
      sql: sql)
  }
}

extension Statement {
  /// Steps this prepared statement (its arguments set), handing each row to `body` as
  /// SQLite's C API sees it: GRDB's `Row` cursor copies every column of every row into
  /// values, which reading a million checkpoints for translation did for columns it then
  /// threw away. The statement is left reset, as GRDB expects it.
  func forEachRow(_ body: (RowReader) throws -> Void) throws {
    let statement = sqliteStatement
    defer { sqlite3_reset(statement) }
    let reader = RowReader(statement: statement)
    while true {
      let code = sqlite3_step(statement)
      if code == SQLITE_DONE { return }
      guard code == SQLITE_ROW else {
        throw DatabaseError(
          resultCode: ResultCode(rawValue: code),
          message: String(cString: sqlite3_errmsg(sqlite3_db_handle(statement))), sql: sql)
      }
      try body(reader)
    }
  }
}

/// One stepped row's columns by position (0-based, as SQLite counts), valid until the
/// next step.
struct RowReader {
  let statement: SQLiteStatement

  func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }

  /// The column's text; `previous` itself when its bytes are the same (the rows of one
  /// group repeat its name: one string for all of them, not one each).
  func text(_ column: Int32, reusing previous: String? = nil) -> String {
    // The text first, then its length: SQLite's documented order (the text call may
    // convert the value, which changes its length).
    guard let bytes = sqlite3_column_text(statement, column) else { return "" }
    let count = Int(sqlite3_column_bytes(statement, column))
    guard count > 0 else { return "" }
    let raw = UnsafeBufferPointer(start: bytes, count: count)
    if var previous, previous.utf8.count == count {
      let same = previous.withUTF8 { memcmp($0.baseAddress!, raw.baseAddress!, count) == 0 }
      if same { return previous }
    }
    return String(decoding: raw, as: UTF8.self)
  }
}
