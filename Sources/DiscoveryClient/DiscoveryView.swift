import Foundation

/// A service's discovery document as a client reads it (`GET .../discovery`, or the
/// `data:` of an event): where to connect, what to produce to and consume from, and for
/// how long it may be trusted without news from a server.
public struct DiscoveryView: Sendable, Equatable, Codable {
  public struct Active: Sendable, Equatable, Codable {
    public var cluster: String
    public var region: String
    public var bootstrapServers: String
    public var writable: Bool

    public init(cluster: String, region: String, bootstrapServers: String, writable: Bool) {
      self.cluster = cluster
      self.region = region
      self.bootstrapServers = bootstrapServers
      self.writable = writable
    }
  }

  public struct Topics: Sendable, Equatable, Codable {
    public var produce: [String]
    public var consume: [String]
    public var pattern: String?

    public init(produce: [String], consume: [String], pattern: String?) {
      self.produce = produce
      self.consume = consume
      self.pattern = pattern
    }
  }

  public var service: String
  /// Active-active: the client region the document is for.
  public var region: String?
  public var epoch: Int64
  public var state: String
  public var mode: String
  public var active: Active
  public var properties: [String: String]
  public var topics: Topics
  public var consumerGroups: [String]
  /// Servers from before leases send none: they get the default.
  public var leaseSeconds: Int?

  public init(
    service: String, epoch: Int64, state: String, mode: String, active: Active, properties: [String: String],
    topics: Topics, consumerGroups: [String], leaseSeconds: Int?, region: String? = nil
  ) {
    self.region = region
    self.service = service
    self.epoch = epoch
    self.state = state
    self.mode = mode
    self.active = active
    self.properties = properties
    self.topics = topics
    self.consumerGroups = consumerGroups
    self.leaseSeconds = leaseSeconds
  }

  public var lease: Duration { .seconds(leaseSeconds ?? Self.defaultLeaseSeconds) }
  public static let defaultLeaseSeconds = 15

  public static func decode(_ bytes: some Collection<UInt8>) throws -> DiscoveryView {
    try JSONDecoder().decode(DiscoveryView.self, from: Data(bytes))
  }
}
