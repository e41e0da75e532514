import CRdKafka
import Foundation

extension KafkaClient {
  /// Describes consumer groups: state and members with their assignments.
  ///
  /// Uses librdkafka's `rd_kafka_list_groups` (ListGroups, then DescribeGroups, sent to every
  /// broker) rather than the DescribeConsumerGroups admin call: with librdkafka 2.0.2, that
  /// admin call against a broker without the API left the handle unable to finish later
  /// coordinator requests and unable to be destroyed. A broker without DescribeGroups makes
  /// this call fail with a `.unsupportedByBroker` error instead.
  ///
  /// One group is asked for by name. Several are read from one listing of every group:
  /// librdkafka answers a named call by listing every group of every broker and keeping the
  /// one, so asking for 1,000 groups one by one sent 1,000 whole listings (a failover's
  /// offset step, issue 27); one listing and one DescribeGroups per broker answer them all.
  public func describeGroups(_ groups: [String], timeout: Duration? = nil) async throws -> [GroupDescription] {
    guard !groups.isEmpty else { return [] }
    let deadline = ContinuousClock.now + (timeout ?? defaultTimeout)
    let handle = self.handle
    let names = groups
    return try await KafkaThreads.run {
      let known = try Self.listGroups(handle, name: names.count == 1 ? names[0] : nil, until: deadline)
      // A group no broker knows does not exist, which Kafka reports as Dead.
      return names.map { known[$0] ?? GroupDescription(groupId: $0, state: "Dead", members: [], error: nil) }
    }
  }

  /// The groups every broker lists (only `name` when given), described; runs on a Kafka thread.
  private static func listGroups(
    _ handle: RdKafkaHandle, name: String?, until deadline: ContinuousClock.Instant
  ) throws -> [String: GroupDescription] {
    var list: UnsafePointer<rd_kafka_group_list>? = nil
    let err = rd_kafka_list_groups(handle.rk, name, &list, (deadline - ContinuousClock.now).milliseconds)
    guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let list else {
      throw KafkaError(err, operation: name.map { "describe group \($0)" } ?? "describe groups")
    }
    defer { rd_kafka_group_list_destroy(list) }
    var described: [String: GroupDescription] = [:]
    for i in 0..<Int(list.pointee.group_cnt) {
      let info = list.pointee.groups[i]
      let group = String(cString: info.group)
      if name == nil || name == group { described[group] = Self.group(info) }
    }
    return described
  }

  private static func group(_ info: rd_kafka_group_info) -> GroupDescription {
    let isConsumer = info.protocol_type.map { String(cString: $0) } == "consumer"
    let members = (0..<Int(info.member_cnt)).map { i -> GroupMember in
      let m = info.members[i]
      var assignment: [TopicPartition] = []
      if isConsumer, let bytes = m.member_assignment, m.member_assignment_size > 0 {
        assignment = ConsumerAssignment.decode(
          Array(UnsafeRawBufferPointer(start: bytes, count: Int(m.member_assignment_size))))
      }
      return GroupMember(
        memberId: String(cString: m.member_id), clientId: String(cString: m.client_id),
        host: String(cString: m.client_host), assignment: assignment)
    }
    return GroupDescription(
      groupId: String(cString: info.group), state: String(cString: info.state), members: members,
      error: info.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2name(info.err)))
  }
}

/// The consumer protocol's member assignment: version, then (topic, [partition]) pairs.
enum ConsumerAssignment {
  static func decode(_ b: [UInt8]) -> [TopicPartition] {
    var i = 0
    func int16() -> Int? {
      guard i + 2 <= b.count else { return nil }
      defer { i += 2 }
      return Int(Int16(bitPattern: UInt16(b[i]) << 8 | UInt16(b[i + 1])))
    }
    func int32() -> Int? {
      guard i + 4 <= b.count else { return nil }
      defer { i += 4 }
      return Int(Int32(bitPattern: b[i..<i + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }))
    }
    guard int16() != nil, let topics = int32(), topics >= 0 else { return [] }
    var out: [TopicPartition] = []
    for _ in 0..<topics {
      guard let len = int16(), len >= 0, i + len <= b.count else { return out }
      let topic = String(decoding: b[i..<i + len], as: UTF8.self)
      i += len
      guard let count = int32(), count >= 0 else { return out }
      for _ in 0..<count {
        guard let p = int32() else { return out }
        out.append(TopicPartition(topic, Int32(p)))
      }
    }
    return out
  }
}
