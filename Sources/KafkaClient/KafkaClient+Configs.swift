import CRdKafka

extension KafkaClient {
  /// The effective value of one configuration entry for each topic (DescribeConfigs);
  /// topics without the entry are absent. A broker without the API throws.
  public func topicConfig(_ name: String, topics: [String], timeout: Duration? = nil) async throws -> [String: String] {
    guard !topics.isEmpty else { return [:] }
    let ms = (timeout ?? defaultTimeout).milliseconds
    let handle = self.handle
    let names = topics
    return try await KafkaThreads.run {
      var resources: [OpaquePointer?] = names.map { rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, $0) }
      defer { rd_kafka_ConfigResource_destroy_array(&resources, resources.count) }
      let event = try AdminCall.run(
        handle: handle, op: RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeoutMs: ms, operation: "describe topic configs"
      ) { rk, options, queue in
        rd_kafka_DescribeConfigs(rk, &resources, resources.count, options, queue)
      }
      defer { rd_kafka_event_destroy(event) }
      var count = 0
      guard let result = rd_kafka_event_DescribeConfigs_result(event),
        let described = rd_kafka_DescribeConfigs_result_resources(result, &count)
      else { return [:] }
      var out: [String: String] = [:]
      for i in 0..<count {
        guard let r = described[i], rd_kafka_ConfigResource_error(r) == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
        let topic = String(cString: rd_kafka_ConfigResource_name(r))
        var n = 0
        guard let entries = rd_kafka_ConfigResource_configs(r, &n) else { continue }
        for j in 0..<n {
          guard let e = entries[j], String(cString: rd_kafka_ConfigEntry_name(e)) == name,
            let value = rd_kafka_ConfigEntry_value(e)
          else { continue }
          out[topic] = String(cString: value)
        }
      }
      return out
    }
  }
}
