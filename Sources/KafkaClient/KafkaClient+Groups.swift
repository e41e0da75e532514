import CRdKafka
import Foundation

extension KafkaClient {
  /// Describes consumer groups (DescribeGroups). A broker without the API answers each
  /// group with an `_UNSUPPORTED_FEATURE` error in its description.
  ///
  /// Runs on a short-lived handle of its own: with librdkafka 2.0.2, a DescribeGroups the
  /// broker does not support leaves that handle's later coordinator requests for the same
  /// group (committed offsets, alter offsets) waiting forever.
  public func describeGroups(_ groups: [String], timeout: Duration? = nil) async throws -> [GroupDescription] {
    guard !groups.isEmpty else { return [] }
    let ms = (timeout ?? defaultTimeout).milliseconds
    let properties = self.properties
    let names = groups
    return try await KafkaThreads.run {
      let handle = try RdKafkaHandle(type: RD_KAFKA_PRODUCER, properties: properties)
      let cStrings = names.map { strdup($0) }
      defer { for s in cStrings { free(s) } }
      var pointers = cStrings.map { UnsafePointer<CChar>($0) }
      let event = try AdminCall.run(
        handle: handle, op: RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS, timeoutMs: ms,
        operation: "describe groups"
      ) { rk, options, queue in
        rd_kafka_DescribeConsumerGroups(rk, &pointers, pointers.count, options, queue)
      }
      defer { rd_kafka_event_destroy(event) }
      let result = rd_kafka_event_DescribeConsumerGroups_result(event)
      var count = 0
      guard let descriptions = rd_kafka_DescribeConsumerGroups_result_groups(result, &count) else { return [] }
      return (0..<count).compactMap { i in descriptions[i].map(Self.group) }
    }
  }

  private static func group(_ d: OpaquePointer) -> GroupDescription {
    let error = rd_kafka_ConsumerGroupDescription_error(d).map { e in
      "\(String(cString: rd_kafka_error_name(e))): \(String(cString: rd_kafka_error_string(e)))"
    }
    let members = (0..<rd_kafka_ConsumerGroupDescription_member_count(d)).compactMap { j -> GroupMember? in
      guard let m = rd_kafka_ConsumerGroupDescription_member(d, j) else { return nil }
      var assignment: [TopicPartition] = []
      if let a = rd_kafka_MemberDescription_assignment(m), let parts = rd_kafka_MemberAssignment_partitions(a) {
        assignment = PartitionList.entries(parts).map(\.tp)
      }
      return GroupMember(
        memberId: String(cString: rd_kafka_MemberDescription_consumer_id(m)),
        clientId: String(cString: rd_kafka_MemberDescription_client_id(m)),
        host: String(cString: rd_kafka_MemberDescription_host(m)), assignment: assignment)
    }
    return GroupDescription(
      groupId: String(cString: rd_kafka_ConsumerGroupDescription_group_id(d)),
      state: String(cString: rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(d))),
      members: members, error: error)
  }
}
