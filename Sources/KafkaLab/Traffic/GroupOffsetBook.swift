import KafkaClient

/// Consumer groups' offsets on one cluster, read and committed through one member-less
/// consumer per group (`KafkaConsumer.committed` / `commitAsync`) rather than the Admin
/// API: the lab commits several times a second to clusters it takes down and brings back,
/// exactly when librdkafka's Admin group requests can abort the process.
public actor GroupOffsetBook {
  public let bootstrapServers: String
  private var consumers: [String: KafkaConsumer] = [:]

  public init(bootstrapServers: String) { self.bootstrapServers = bootstrapServers }

  private func consumer(_ group: String) throws -> KafkaConsumer {
    if let c = consumers[group] { return c }
    let c = try KafkaConsumer(properties: [
      "bootstrap.servers": bootstrapServers, "group.id": group, "socket.timeout.ms": "3000",
    ])
    consumers[group] = c
    return c
  }

  public func committed(_ group: String, _ partitions: [TopicPartition], timeout: Duration) async throws
    -> [TopicPartition: Int64?]
  {
    try await consumer(group).committed(partitions, timeout: timeout)
  }

  public func commit(_ group: String, _ offsets: [TopicPartition: Int64]) async throws {
    try await consumer(group).commitAsync(offsets)
  }
}
