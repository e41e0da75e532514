/// A topic and a partition number.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
  public let topic: String
  public let partition: Int32

  public init(_ topic: String, _ partition: Int32) {
    self.topic = topic
    self.partition = partition
  }

  public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
    (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
  }

  public var description: String { "\(topic)-\(partition)" }
}

public struct BrokerInfo: Sendable, Equatable, Codable {
  public init(id: Int32, host: String, port: Int32) {
    self.id = id
    self.host = host
    self.port = port
  }

  public let id: Int32
  public let host: String
  public let port: Int32
}

public struct PartitionInfo: Sendable, Equatable, Codable {
  public init(id: Int32, leader: Int32, replicas: [Int32], isr: [Int32], error: String?) {
    self.id = id
    self.leader = leader
    self.replicas = replicas
    self.isr = isr
    self.error = error
  }

  public let id: Int32
  /// -1 when the partition has no leader (offline).
  public let leader: Int32
  public let replicas: [Int32]
  public let isr: [Int32]
  /// librdkafka's name of the partition-level error, if any.
  public let error: String?

  public var isOffline: Bool { leader < 0 }
  public var isUnderReplicated: Bool { isr.count < replicas.count }
}

public struct TopicInfo: Sendable, Equatable, Codable {
  public init(name: String, partitions: [PartitionInfo], error: String?) {
    self.name = name
    self.partitions = partitions
    self.error = error
  }

  public let name: String
  public let partitions: [PartitionInfo]
  public let error: String?
  public var isInternal: Bool { name.hasPrefix("__") }
}

/// What one metadata round trip tells about a cluster.
public struct ClusterDescription: Sendable, Equatable, Codable {
  public init(brokers: [BrokerInfo], controllerId: Int32, respondingBrokerId: Int32, topics: [TopicInfo]) {
    self.brokers = brokers
    self.controllerId = controllerId
    self.respondingBrokerId = respondingBrokerId
    self.topics = topics
  }

  public let brokers: [BrokerInfo]
  /// -1 when the brokers reported no controller (librdkafka's mock cluster reports 0).
  public let controllerId: Int32
  /// The broker that answered.
  public let respondingBrokerId: Int32
  public let topics: [TopicInfo]

  public var offlinePartitions: [TopicPartition] {
    topics.flatMap { t in t.partitions.filter(\.isOffline).map { TopicPartition(t.name, $0.id) } }
  }
  public var underReplicatedPartitions: [TopicPartition] {
    topics.flatMap { t in
      t.partitions.filter(\.isUnderReplicated).map { TopicPartition(t.name, $0.id) }
    }
  }
  public func topic(_ name: String) -> TopicInfo? { topics.first { $0.name == name } }
}

/// Low and high watermark of a partition: the first offset still stored and the offset
/// the next record will get.
public struct Watermarks: Sendable, Equatable, Codable {
  public init(low: Int64, high: Int64) {
    self.low = low
    self.high = high
  }

  public let low: Int64
  public let high: Int64
}

/// Per-partition outcome of a multi-partition call that can partly fail.
public enum PartitionOutcome: Sendable, Equatable {
  case ok
  case failed(KafkaError)
}

public struct KafkaHeader: Sendable, Equatable {
  public let key: String
  public let value: [UInt8]?
  public init(key: String, value: [UInt8]?) {
    self.key = key
    self.value = value
  }
}

public struct ProducerRecord: Sendable, Equatable {
  public var topic: String
  /// nil lets the partitioner choose (by key hash).
  public var partition: Int32?
  public var key: [UInt8]?
  public var value: [UInt8]?
  /// Milliseconds since the epoch; nil stamps the record with the time of production.
  public var timestamp: Int64?
  public var headers: [KafkaHeader]

  public init(
    topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?,
    timestamp: Int64? = nil, headers: [KafkaHeader] = []
  ) {
    self.topic = topic
    self.partition = partition
    self.key = key
    self.value = value
    self.timestamp = timestamp
    self.headers = headers
  }
}

public struct DeliveryReport: Sendable, Equatable {
  public init(topic: String, partition: Int32, offset: Int64) {
    self.topic = topic
    self.partition = partition
    self.offset = offset
  }

  public let topic: String
  public let partition: Int32
  public let offset: Int64
}

public struct ConsumedRecord: Sendable, Equatable {
  public let topic: String
  public let partition: Int32
  public let offset: Int64
  public let timestamp: Int64?
  public let key: [UInt8]?
  public let value: [UInt8]?
  public let headers: [KafkaHeader]

  public init(
    topic: String, partition: Int32, offset: Int64, timestamp: Int64?, key: [UInt8]?, value: [UInt8]?,
    headers: [KafkaHeader]
  ) {
    self.topic = topic
    self.partition = partition
    self.offset = offset
    self.timestamp = timestamp
    self.key = key
    self.value = value
    self.headers = headers
  }
}

public struct GroupMember: Sendable, Equatable, Codable {
  public init(memberId: String, clientId: String, host: String, assignment: [TopicPartition]) {
    self.memberId = memberId
    self.clientId = clientId
    self.host = host
    self.assignment = assignment
  }

  public let memberId: String
  public let clientId: String
  public let host: String
  public let assignment: [TopicPartition]
}

public struct GroupDescription: Sendable, Equatable, Codable {
  public init(groupId: String, state: String, members: [GroupMember], error: String?) {
    self.groupId = groupId
    self.state = state
    self.members = members
    self.error = error
  }

  public let groupId: String
  /// Kafka's group state: `Stable`, `Empty`, `Dead`, `PreparingRebalance`, ...
  public let state: String
  public let members: [GroupMember]
  public let error: String?
  public var hasLiveMembers: Bool { !members.isEmpty }
}
