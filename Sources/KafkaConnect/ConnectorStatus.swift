/// Kafka Connect's status document (`GET /connectors/{name}/status`), in Connect's own
/// snake-case field names: what the probe reads and the lab's Connect-style API writes.
public struct ConnectorStatus: Codable, Sendable, Equatable {
  public struct State: Codable, Sendable, Equatable {
    /// `RUNNING`, `PAUSED`, `FAILED`, `UNASSIGNED`, ... (Connect may add states: kept as text).
    public let state: String
    public let workerId: String?
    public let trace: String?

    public init(state: String, workerId: String?, trace: String? = nil) {
      self.state = state
      self.workerId = workerId
      self.trace = trace
    }

    enum CodingKeys: String, CodingKey {
      case state, trace
      case workerId = "worker_id"
    }
  }

  public struct Task: Codable, Sendable, Equatable {
    public let id: Int
    public let state: String
    public let workerId: String?
    public let trace: String?

    public init(id: Int, state: String, workerId: String?, trace: String? = nil) {
      self.id = id
      self.state = state
      self.workerId = workerId
      self.trace = trace
    }

    enum CodingKeys: String, CodingKey {
      case id, state, trace
      case workerId = "worker_id"
    }
  }

  public let name: String
  public let connector: State
  public let tasks: [Task]
  public let type: String?

  public init(name: String, connector: State, tasks: [Task], type: String? = nil) {
    self.name = name
    self.connector = connector
    self.tasks = tasks
    self.type = type
  }

  /// The state Connect reports for a connector or task doing its work.
  public static let running = "RUNNING"
  public static let paused = "PAUSED"
  /// KIP-875: no tasks run; only then can its offsets be changed.
  public static let stopped = "STOPPED"
}

/// Connect's error body: `{"error_code": 404, "message": "..."}`.
public struct ConnectErrorBody: Codable, Sendable, Equatable {
  public let errorCode: Int
  public let message: String

  public init(errorCode: Int = 404, message: String) {
    self.errorCode = errorCode
    self.message = message
  }

  enum CodingKeys: String, CodingKey {
    case errorCode = "error_code"
    case message
  }
}
