/// A connector's offsets as Kafka Connect's REST API reads and writes them (KIP-875,
/// `GET`/`PATCH /connectors/{name}/offsets`, Connect 3.6 and later): per source partition,
/// the connector's own description of it and of its position.
public struct ConnectorOffsets: Codable, Sendable, Equatable {
  public var offsets: [ConnectorOffset]

  public init(offsets: [ConnectorOffset]) { self.offsets = offsets }
}

public struct ConnectorOffset: Codable, Sendable, Equatable {
  public var partition: [String: OffsetValue]
  /// nil resets the partition (the connector starts it afresh).
  public var offset: [String: OffsetValue]?

  public init(partition: [String: OffsetValue], offset: [String: OffsetValue]?) {
    self.partition = partition
    self.offset = offset
  }

  /// MirrorSourceConnector's position in one source partition. MirrorSourceTask stores,
  /// with each record it copies, the partition as `{"cluster": <source alias>, "topic": t,
  /// "partition": n}` (MirrorUtils.wrapPartition) and the offset of that record as
  /// `{"offset": o}` (wrapOffset); when its task starts it seeks to `o + 1`
  /// (MirrorSourceTask.initializeConsumer). So the connector goes on at `next` when the
  /// stored offset is `next - 1`.
  public static func mirrorSource(cluster alias: String, topic: String, partition: Int32, next: Int64)
    -> ConnectorOffset
  {
    ConnectorOffset(
      partition: ["cluster": .string(alias), "topic": .string(topic), "partition": .int(Int64(partition))],
      offset: ["offset": .int(next - 1)])
  }

  /// This offset read as MirrorSourceConnector's: its source cluster alias, topic and
  /// partition, and the next offset it copies; nil when the keys are not MM2's.
  public var mirrorSource: (cluster: String, topic: String, partition: Int32, next: Int64)? {
    guard case .string(let cluster)? = partition["cluster"], case .string(let topic)? = partition["topic"],
      case .int(let p)? = partition["partition"], let p32 = Int32(exactly: p), p32 >= 0,
      case .int(let o)? = offset?["offset"], o >= -1
    else { return nil }
    return (cluster, topic, p32, o + 1)
  }
}

/// A value in a connector's partition or offset map: Connect's JSON holds strings and
/// integers there for every connector failoverctl deals with.
public enum OffsetValue: Codable, Sendable, Equatable {
  case string(String)
  case int(Int64)

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let i = try? c.decode(Int64.self) {
      self = .int(i)
    } else {
      self = .string(try c.decode(String.self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .string(let s): try c.encode(s)
    case .int(let i): try c.encode(i)
    }
  }
}
