import KafkaClient
import MM2

/// One record of a flow's MM2 topics, decoded on the consumer's thread from the bytes
/// librdkafka holds (no copy of its key and value first), with where it was read.
struct PolledRecord: Sendable {
  enum Body: Sendable {
    case checkpoint(Checkpoint)
    case offsetSync(OffsetSync)
    case heartbeat(Heartbeat)
    /// Not a valid record of its topic: why, as stored in `mm2_poison`.
    case poison(String)
  }

  let topic: String
  let partition: Int32
  let offset: Int64
  let timestamp: Int64?
  let body: Body

  /// The decoder of one flow: the checkpoints topic holds checkpoints, the offset-syncs
  /// topic offset-syncs, and every other followed topic heartbeats.
  static func decoder(checkpoints: String, offsetSyncs: String)
    -> @Sendable (KafkaConsumer.BorrowedRecord) ->
    PolledRecord
  {
    { r in
      let body: Body
      if let key = r.key, let value = r.value {
        do throws(MM2CodecError) {
          if r.topic == checkpoints {
            body = .checkpoint(try Checkpoint.decode(key: key, value: value))
          } else if r.topic == offsetSyncs {
            body = .offsetSync(try OffsetSync.decode(key: key, value: value))
          } else {
            body = .heartbeat(try Heartbeat.decode(key: key, value: value))
          }
        } catch {
          body = .poison("\(error)")
        }
      } else {
        body = .poison("\(MM2CodecError.missing(part: r.key == nil ? "key" : "value"))")
      }
      return PolledRecord(topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, body: body)
    }
  }
}
