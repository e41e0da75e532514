import CRdKafka

extension KafkaClient {
  /// Creates topics (CreateTopics); one that already exists is not an error. Throws the
  /// first other per-topic error, with its topic. librdkafka's mock cluster has no
  /// CreateTopics: create its topics through `MockCluster.createTopic`.
  public func createTopics(
    _ topics: [(name: String, partitions: Int32)], replicationFactor: Int32 = 1, timeout: Duration? = nil
  )
    async throws
  {
    guard !topics.isEmpty else { return }
    let ms = (timeout ?? defaultTimeout).milliseconds
    let handle = self.handle
    let wanted = topics.map { TopicSpec(name: $0.name, partitions: $0.partitions) }
    try await KafkaThreads.run {
      var errstr = [CChar](repeating: 0, count: 512)
      var specs: [OpaquePointer?] = try wanted.map { t in
        guard let spec = rd_kafka_NewTopic_new(t.name, t.partitions, replicationFactor, &errstr, errstr.count) else {
          throw KafkaError(
            RD_KAFKA_RESP_ERR__INVALID_ARG, message: "\(t.name): \(errorText(errstr))", operation: "create topics")
        }
        return spec
      }
      defer { rd_kafka_NewTopic_destroy_array(&specs, specs.count) }
      let event = try AdminCall.run(
        handle: handle, op: RD_KAFKA_ADMIN_OP_CREATETOPICS, timeoutMs: ms, operation: "create topics"
      ) { rk, options, queue in
        rd_kafka_CreateTopics(rk, &specs, specs.count, options, queue)
      }
      defer { rd_kafka_event_destroy(event) }
      var count = 0
      guard let result = rd_kafka_event_CreateTopics_result(event),
        let created = rd_kafka_CreateTopics_result_topics(result, &count)
      else { return }
      for i in 0..<count {
        guard let t = created[i] else { continue }
        let err = rd_kafka_topic_result_error(t)
        guard err != RD_KAFKA_RESP_ERR_NO_ERROR, err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else { continue }
        let name = String(cString: rd_kafka_topic_result_name(t))
        let text = rd_kafka_topic_result_error_string(t).map { String(cString: $0) } ?? ""
        throw KafkaError(err, message: "\(name): \(text)", operation: "create topics")
      }
    }
  }
}

private struct TopicSpec: Sendable {
  let name: String
  let partitions: Int32
}
