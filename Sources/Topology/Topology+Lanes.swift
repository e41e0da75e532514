/// A lane is what moves as one in a failover and what one discovery document describes:
/// an active-passive service, or the clients of one region of an active-active service.
/// A region's lane (`LaneID`, written `SERVICE@REGION` on the wire) is a `Service` of its own, and
/// has its home cluster as primary, its peers as standbys, its
/// region's consumer groups. So the executor, the journal, the shared state and discovery
/// handle it as they handle any service.
extension Topology {
  /// Every lane: each active-passive service, and one per client region of each
  /// active-active service.
  public var lanes: [Service] {
    services.flatMap { s in s.mode == .activeActive ? s.homes.compactMap { s.lane(for: $0.region) } : [s] }
  }

  /// A configured service, or a region's lane of one.
  public func service(_ id: LaneID) -> Service? {
    guard let region = id.region else { return services.first { $0.id == id } }
    return services.first { $0.id.service == id.service && $0.id.region == nil }?.lane(for: region)
  }

  /// A configured service, or a region's lane of one, by its wire name (`orders@east`).
  public func service(_ name: String) -> Service? { service(LaneID(parsing: name)) }
}

extension Service {
  /// The configured service's name (without the lane's region).
  public var baseName: String { id.service }
  /// The client region of a lane; nil for an active-passive service.
  public var region: String? { id.region }
  /// The client regions of an active-active service.
  public var clientRegions: [String] { homes.map(\.region) }

  /// The lane of `region`'s clients: home as primary, peers as standbys.
  public func lane(for region: String) -> Service? {
    guard mode == .activeActive, id.region == nil, let home = homes.first(where: { $0.region == region }) else {
      return nil
    }
    var lane = self
    lane.id = LaneID(service: id.service, region: region)
    lane.primary = home.cluster
    lane.standbys = home.peers.isEmpty ? clusters.filter { $0 != home.cluster } : home.peers
    lane.consumerGroups = home.consumerGroups + consumerGroups.filter { !home.consumerGroups.contains($0) }
    lane.homes = [home]
    return lane
  }
}
