/// A lane is what moves as one in a failover and what one discovery document describes:
/// an active-passive service, or the clients of one region of an active-active service.
/// A region's lane is named `SERVICE@REGION` (`@` is never part of a configured name), and
/// is a `Service` of its own: its home cluster as primary, its peers as standbys, its
/// region's consumer groups. So the executor, the journal, the shared state and discovery
/// handle it as they handle any service.
extension Topology {
  /// Every lane: each active-passive service, and one per client region of each
  /// active-active service.
  public var lanes: [Service] {
    services.flatMap { s in s.mode == .activeActive ? s.homes.compactMap { s.lane(for: $0.region) } : [s] }
  }

  /// A configured service, or a region's lane of one (`orders@east`).
  public func service(_ name: String) -> Service? {
    guard let (base, region) = Service.splitLane(name) else { return services.first { $0.name == name } }
    return services.first { $0.name == base }?.lane(for: region)
  }
}

extension Service {
  public static let laneSeparator: Character = "@"

  public static func laneName(_ service: String, region: String) -> String { "\(service)@\(region)" }

  /// `orders@east` → (`orders`, `east`); nil for a name without a region.
  public static func splitLane(_ name: String) -> (service: String, region: String)? {
    guard let at = name.firstIndex(of: laneSeparator) else { return nil }
    return (String(name[..<at]), String(name[name.index(after: at)...]))
  }

  /// The configured service's name (without the lane's region).
  public var baseName: String { Self.splitLane(name)?.service ?? name }
  /// The client region of a lane; nil for an active-passive service.
  public var region: String? { Self.splitLane(name)?.region }
  /// The client regions of an active-active service.
  public var clientRegions: [String] { homes.map(\.region) }

  /// The lane of `region`'s clients: home as primary, peers as standbys.
  public func lane(for region: String) -> Service? {
    guard mode == .activeActive, self.region == nil, let home = homes.first(where: { $0.region == region }) else {
      return nil
    }
    var lane = self
    lane.name = Self.laneName(name, region: region)
    lane.primary = home.cluster
    lane.standbys = home.peers.isEmpty ? clusters.filter { $0 != home.cluster } : home.peers
    lane.consumerGroups = home.consumerGroups + consumerGroups.filter { !home.consumerGroups.contains($0) }
    lane.homes = [home]
    return lane
  }
}
