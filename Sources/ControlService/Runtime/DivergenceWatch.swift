import Foundation
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// Once per probe interval, for every active-passive service whose last move was an
/// unplanned failover: the tail its old primary holds, measured while that cluster answers
/// (bounded from the failover's journal while it does not), for `/v1/status`, the metric
/// `kafka_failover_unreplicated_records` and the webhook event `divergence`, sent once per
/// failover when the old primary answers again and the tail is measured.
struct DivergenceWatch: ServiceLifecycle.Service {
  let topology: Topology
  let finder: DivergenceFinder
  let health: HealthBoard
  let book: DivergenceBook
  let metrics: ServiceMetrics
  let runner: FailoverRunner
  let recoveries: RecoveryRunner
  let store: any CoordinationStore
  let policies: [String: Policy]
  let clock: any Clock<Duration>
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown { await loop() }
  }

  private func loop() async {
    var announced: Set<Int64> = []
    while !Task.isCancelled {
      // Active-passive services and each region's lane of an active-active one.
      for service in topology.lanes {
        // Only the failover decides which cluster was left; an unreachable one is not asked.
        var left: FailoverRecord? = nil
        do { left = try await finder.failover(of: service.name) } catch { continue }
        var reachable = false
        if let left { reachable = await health.health(of: left.sourceCluster)?.state != .unreachable }
        let found: Divergence?
        do { found = try await finder.measure(service: service.name, askOldPrimary: reachable) } catch { continue }
        let previous = await book.set(service.name, found)
        for topic in service.topics {
          // What is still only on the old primary: a recovered record is on the active cluster.
          let records = (found?.partitions ?? []).filter { $0.topic == topic }.map(\.records).reduce(0, +)
          let recovered = found?.recoveredByTopic[topic] ?? 0
          metrics.unreplicated(service: service.name, topic: topic, records: max(0, records - recovered))
        }
        if let d = found, d.oldPrimaryAnswers, d.recoveryId == nil, d.records > 0, !d.byReplication {
          await autoRecover(service.name, d)
        }
        guard let d = found, d.oldPrimaryAnswers, let failover = left, !announced.contains(d.failoverId) else {
          continue
        }
        announced.insert(d.failoverId)
        if previous?.records != d.records, d.byReplication {
          logger.notice(
            "\(d.records) records of \(service.name) on \(d.oldPrimary) have not reached \(d.active) yet (failover \(d.failoverId)); replication from \(d.oldPrimary) copies them"
          )
        } else if previous?.records != d.records {
          logger.warning(
            "\(d.records) records of \(service.name) on \(d.oldPrimary) never reached \(d.active) (failover \(d.failoverId)); failoverctl recover \(service.name) copies them"
          )
        }
        runner.notify(.divergence, failover, divergence: d)
      }
      try? await clock.sleep(for: topology.probes.interval)
    }
  }
}

extension DivergenceWatch {
  /// A policy with `recovery: {auto: true}` recovers the tail as soon as it is measured
  /// (the old primary answers); never while a failover of the service runs (`begin`
  /// refuses then, and the next round tries again).
  func autoRecover(_ serviceName: String, _ d: Divergence) async {
    guard let service = topology.service(serviceName), let name = service.policy, let policy = policies[name],
      policy.recovery.auto
    else { return }
    let actor = "policy:\(name)"
    do {
      let (_, record) = try await recoveries.begin(
        service, into: policy.recovery.into, quarantine: policy.recovery.quarantineTopic, dryRun: false,
        reason: "policy \(name): the old primary \(d.oldPrimary) answers again", actor: actor)
      guard let record else { return }
      logger.notice("policy \(name) started recovery \(record.id) of \(service.name): \(d.records) records")
    } catch {
      logger.debug("policy \(name) could not recover \(service.name) yet: \(error)")
    }
  }
}

/// The divergence of every service as last measured.
public actor DivergenceBook {
  private var byService: [String: Divergence] = [:]

  public init() {}

  /// Records the service's divergence (nil: none); returns the one it replaces.
  @discardableResult
  func set(_ service: String, _ d: Divergence?) -> Divergence? {
    let old = byService[service]
    byService[service] = d
    return old
  }

  var all: [Divergence] { byService.values.sorted { $0.service < $1.service } }
}
