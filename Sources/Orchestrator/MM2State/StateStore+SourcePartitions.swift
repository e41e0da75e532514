import Foundation
import GRDB
import KafkaClient

/// One partition of a flow's source as last measured: where its log starts and ends.
public struct SourcePartition: Sendable, Equatable, Codable {
  public let logStart: Int64
  public let highWatermark: Int64
  public let measuredAt: Date

  public init(logStart: Int64, highWatermark: Int64, measuredAt: Date) {
    self.logStart = logStart
    self.highWatermark = highWatermark
    self.measuredAt = measuredAt
  }
}

extension StateStore {
  /// Replaces what is known of the source's partitions of `flow` with one measurement: a
  /// partition the source no longer lists (its topic deleted) is forgotten with it. The
  /// measurement is recorded even when it lists none: an answer, not an absence of one.
  public func recordSourcePartitions(
    flow: String, _ partitions: [TopicPartition: SourcePartition], measuredAt: Date
  ) async throws {
    try await write { db in
      try db.execute(sql: "DELETE FROM mm2_source_partition WHERE flow = ?", arguments: [flow])
      let ins = try db.cachedStatement(
        sql: """
          INSERT INTO mm2_source_partition (flow, topic, partition, log_start, high_watermark, measured_at)
          VALUES (?, ?, ?, ?, ?, ?)
          """)
      for (tp, p) in partitions {
        try ins.execute(
          arguments: [flow, tp.topic, Int64(tp.partition), p.logStart, p.highWatermark, p.measuredAt])
      }
      try db.execute(
        sql: "INSERT OR REPLACE INTO mm2_source_measured (flow, measured_at) VALUES (?, ?)",
        arguments: [flow, measuredAt])
    }
  }

  /// The source's partitions of `flow` as last measured, and when; nil if its source never
  /// answered.
  public func sourcePartitions(flow: String) async throws -> (
    partitions: [TopicPartition: SourcePartition], measuredAt: Date
  )? {
    try await read { db in
      guard
        let measuredAt = try Date.fetchOne(
          db, sql: "SELECT measured_at FROM mm2_source_measured WHERE flow = ?", arguments: [flow])
      else { return nil }
      var out: [TopicPartition: SourcePartition] = [:]
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT topic, partition, log_start, high_watermark, measured_at FROM mm2_source_partition WHERE flow = ?
          """, arguments: [flow])
      while let r = try rows.next() {
        out[TopicPartition(r[0], Int32(r[1] as Int64))] = SourcePartition(
          logStart: r[2], highWatermark: r[3], measuredAt: r[4])
      }
      return (out, measuredAt)
    }
  }

  /// When the store was migrated from the reading that took a checkpoint's topic as the
  /// source's (schema v8), the flow's checkpoints topic is read again from its start, once:
  /// its ingest positions are dropped with the mark, in one transaction.
  public func rereadCheckpointsIfMarked(flow: String, checkpointsTopic: String) async throws {
    try await write { db in
      guard
        try Bool.fetchOne(
          db, sql: "SELECT EXISTS (SELECT 1 FROM mm2_checkpoint_reread WHERE flow = ?)", arguments: [flow]) == true
      else { return }
      try db.execute(
        sql: "DELETE FROM mm2_ingest_position WHERE flow = ? AND topic = ?", arguments: [flow, checkpointsTopic])
      try db.execute(sql: "DELETE FROM mm2_checkpoint_reread WHERE flow = ?", arguments: [flow])
    }
  }
}
