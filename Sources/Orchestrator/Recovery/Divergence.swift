import Foundation
import KafkaClient
import Topology

/// What the cluster a service left in an unplanned failover holds that never reached the
/// cluster it moved to: its unreplicated tail, per partition.
public struct Divergence: Sendable, Codable, Equatable {
  public let service: String
  /// The unplanned failover that left the tail behind.
  public let failoverId: Int64
  public let oldPrimary: String
  public let active: String
  /// Whether the old primary answered: then the tail is measured, else bounded from the
  /// failover's journal.
  public let oldPrimaryAnswers: Bool
  public let measuredAt: Date
  public let records: Int64
  public let partitions: [DivergentPartition]
  /// The recovery of this tail, when one ran or runs, and how many of its records are on
  /// the active cluster now.
  public var recoveryId: Int64? = nil
  public var recovered: Int64 = 0
  /// `recovered` by topic of the old primary.
  public var recoveredByTopic: [String: Int64] = [:]
  /// An active-active lane: its failover left replication from the old home running, so
  /// MM2 copies the tail to the copy on every peer as the old home answers (and the lane's
  /// groups read it there); the tail drains by itself and is not recovered.
  public var byReplication = false

  public init(
    service: String, failoverId: Int64, oldPrimary: String, active: String, oldPrimaryAnswers: Bool,
    measuredAt: Date, records: Int64, partitions: [DivergentPartition]
  ) {
    self.service = service
    self.failoverId = failoverId
    self.oldPrimary = oldPrimary
    self.active = active
    self.oldPrimaryAnswers = oldPrimaryAnswers
    self.measuredAt = measuredAt
    self.records = records
    self.partitions = partitions
  }

  /// What is still only on the old primary.
  public var unrecovered: Int64 { max(0, records - recovered) }
}

/// What the API answers for a service: its divergence, or why there is none.
public struct DivergenceView: Sendable, Codable, Equatable {
  public let service: String
  public let divergence: Divergence?
  public let note: String

  public init(service: String, divergence: Divergence?) {
    self.service = service
    self.divergence = divergence
    note =
      switch divergence {
      case nil: "no unplanned failover left \(service) with a tail: its last move was planned, or it is home"
      case let d? where !d.oldPrimaryAnswers:
        "\(d.oldPrimary) does not answer: at most \(d.records) records, as the failover \(d.failoverId) journaled them"
      case let d? where d.byReplication && d.records == 0:
        "the tail of failover \(d.failoverId) reached \(d.active) through replication from \(d.oldPrimary): nothing "
          + "is missing there"
      case let d? where d.byReplication:
        "\(d.records) records on \(d.oldPrimary) have not reached \(d.active) yet (failover \(d.failoverId)); "
          + "replication from \(d.oldPrimary) runs (active-active) and copies them: watch them drain"
      case let d? where d.recoveryId != nil:
        "\(d.records) records on \(d.oldPrimary) never reached \(d.active) (failover \(d.failoverId)); recovery "
          + "\(d.recoveryId!) copied \(d.recovered) of them to \(d.active)"
      case let d?:
        "\(d.records) records on \(d.oldPrimary) never reached \(d.active) (failover \(d.failoverId)); "
          + "failoverctl recover \(service) copies them"
      }
  }
}

/// Finds the failover whose tail matters now and measures it.
public struct DivergenceFinder: Sendable {
  public let topology: Topology
  public let store: any CoordinationStore
  public let mm2: StateStore
  public let kafka: any KafkaClusters

  public init(topology: Topology, store: any CoordinationStore, mm2: StateStore, kafka: any KafkaClusters) {
    self.topology = topology
    self.store = store
    self.mm2 = mm2
    self.kafka = kafka
  }

  /// The service's latest move, when it was an unplanned failover that switched the
  /// service's clients and the service is still where it went; nil otherwise (a failback or
  /// a planned move since leaves no tail of its own).
  public func failover(of service: String) async throws -> FailoverRecord? {
    // A failover that has switched its clients counts from then on, while its last steps run.
    let moves = try await store.failovers(service: service, limit: 50).filter {
      $0.kind != .demote
        && ($0.status == .succeeded || ($0.status == .running && $0.step(.switchDiscovery)?.status == .done))
    }
    guard let last = moves.first, last.mode == .forced,
      let state = try await store.serviceState(service), state.activeCluster == last.targetCluster
    else { return nil }
    return last
  }

  /// The tail of the service's last unplanned failover: measured when the old primary
  /// answers, bounded from the journal when it does not (or when `askOldPrimary` is false:
  /// the caller knows it is unreachable and asking would only wait for a timeout); nil when
  /// there is none to speak of.
  public func measure(service name: String, askOldPrimary: Bool = true, now: Date = Date()) async throws
    -> Divergence?
  {
    // An active-passive service, or a region's lane of an active-active one.
    guard let service = topology.service(name), service.mode == .activePassive || service.region != nil,
      let failover = try await failover(of: name),
      let flow = topology.flow(from: failover.sourceCluster, to: failover.targetCluster)
    else { return nil }
    let journaled = try await mm2.tails(failover: failover.id)
    var answered = false
    var partitions = TailMeasurement.bound(flow, journaled)
    if askOldPrimary {
      do {
        partitions = try await TailMeasurement(flow: flow, topics: service.topics).measure(
          source: try kafka.client(flow.source), target: try kafka.client(flow.target),
          histories: try await mm2.offsetSyncHistories(flow: flow.name), journaled: journaled)
        answered = true
      } catch {
        // The old primary (or the copy) does not answer: the journal's bound stands.
      }
    }
    var d = Divergence(
      service: name, failoverId: failover.id, oldPrimary: flow.source, active: flow.target,
      oldPrimaryAnswers: answered, measuredAt: now, records: partitions.map(\.records).reduce(0, +),
      partitions: partitions)
    d.byReplication = service.mode == .activeActive
    if let recovery = try await mm2.recoveries(service: name).first(where: { $0.failoverId == failover.id }) {
      d.recoveryId = recovery.id
      d.recovered = recovery.copied
      d.recoveredByTopic = Dictionary(recovery.partitions.map { ($0.topic, $0.copied) }, uniquingKeysWith: +)
    }
    return d
  }
}
