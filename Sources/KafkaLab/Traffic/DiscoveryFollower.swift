import DiscoveryClient

/// What a client of the lab's traffic knows from discovery, kept current by the follower
/// every application can use (event streams, each server in turn, the lease): producers
/// hold their writes while the service is fenced or its lease has run out.
public final class DiscoveryFollower: Sendable {
  public struct View: Sendable, Equatable {
    public let epoch: Int64
    public let cluster: String
    public let bootstrapServers: String
    /// Whether the client may produce now: the cluster is writable and the lease holds.
    public let writable: Bool
    public let produce: [String]
    public let consume: [String]
    /// The cluster's client properties, as discovery hands them to every application.
    public let properties: [String: String]

    /// What a client of this cluster configures: its properties and where to connect.
    public var clientProperties: [String: String] {
      properties.merging(["bootstrap.servers": bootstrapServers]) { _, new in new }
    }

    init(_ s: FollowerState) {
      epoch = s.document.epoch
      cluster = s.document.active.cluster
      bootstrapServers = s.document.active.bootstrapServers
      writable = s.writesAllowed
      produce = s.document.topics.produce
      consume = s.document.topics.consume
      properties = s.document.properties
    }
  }

  let follower: ServiceFollower

  /// - Parameter servers: the control service's base URLs, tried in this order.
  public init(service: String, region: String? = nil, servers: [String]) {
    // Lab traffic waits for a server as long as the lab runs.
    follower = ServiceFollower(service: service, region: region, servers: servers, initialTimeout: .seconds(86_400))
  }

  public var view: View? { follower.state.map(View.init) }

  /// Follows until cancelled.
  public func run() async {
    try? await follower.run { _ in }
  }

  /// Waits for the first document.
  public func current() async -> View {
    while true {
      if let v = view { return v }
      try? await Task.sleep(for: .milliseconds(50))
    }
  }
}
