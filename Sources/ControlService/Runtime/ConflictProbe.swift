import Foundation
import KafkaClient
import Logging
import Orchestrator
import ServiceLifecycle
import Topology

/// The conflict report of one active-active service: a reader per cluster of the
/// service's own topics there (each region's writes), from their ends when the watch
/// starts; every keyed record goes through `ConflictWatch`. Once per probe interval the
/// report is published to `/v1/status` and the metrics. Readers of a cluster that does not
/// answer are made again later; nothing it took meanwhile is missed, it is read late.
struct ConflictProbe: ServiceLifecycle.Service {
  let name: String
  let topology: Topology
  let kafka: any KafkaClusters
  let book: WritesBook
  let metrics: ServiceMetrics
  let logger: Logger

  func run() async throws {
    await cancelWhenGracefulShutdown { await loop() }
  }

  private func loop() async {
    guard let service = topology.service(name), let settings = service.conflictReport else { return }
    var watch = ConflictWatch(
      service: name, window: settings.window, sample: settings.sample, maxKeys: settings.maxKeys)
    var readers: [String: KafkaConsumer] = [:]
    var reported = 0
    var lastReport = ContinuousClock.now - .seconds(3600)
    while !Task.isCancelled {
      for cluster in service.clusters {
        if readers[cluster] == nil { readers[cluster] = await reader(cluster, topics: service.topics) }
        guard let consumer = readers[cluster] else { continue }
        do {
          let batch = try await consumer.poll(max: 5_000, timeout: .milliseconds(50), headers: false)
          for r in batch.records {
            watch.observe(
              cluster: cluster, topic: r.topic, key: r.key,
              timestamp: r.timestamp ?? Int64(Date().timeIntervalSince1970 * 1000))
          }
        } catch {
          logger.debug("conflict report of \(name): \(cluster) not read: \(error)")
        }
      }
      if ContinuousClock.now - lastReport >= topology.probes.interval {
        lastReport = ContinuousClock.now
        let report = watch.report(at: Date())
        await book.update(report)
        metrics.conflicts(report)
        if report.conflictingWrites > reported, let newest = report.recent.first {
          logger.warning(
            "conflict report of \(name): \(report.conflictingWrites - reported) more writes of keys another region wrote within \(report.windowSeconds) s, e.g. \(newest.topic) key \(newest.key) on \(newest.clusters.joined(separator: " and "))"
          )
        }
        reported = report.conflictingWrites
      }
      try? await Task.sleep(for: .milliseconds(200))
    }
  }

  /// A consumer of every partition of the service's own topics on `cluster`, from their
  /// ends; nil while the cluster does not answer.
  private func reader(_ cluster: String, topics: [String]) async -> KafkaConsumer? {
    guard let config = topology.cluster(cluster), let client = try? kafka.client(cluster),
      let description = try? await client.describeCluster(timeout: .seconds(3))
    else { return nil }
    let partitions = description.topics.filter { topics.contains($0.name) }.flatMap { t in
      t.partitions.map { TopicPartition(t.name, $0.id) }
    }
    guard !partitions.isEmpty, let ends = try? await client.watermarks(for: partitions, timeout: .seconds(3)),
      var props = try? config.clientProperties()
    else { return nil }
    props["group.id"] = "failoverctl-conflicts-\(name)"
    props["enable.auto.commit"] = "false"
    props["fetch.wait.max.ms"] = "50"
    guard let consumer = try? KafkaConsumer(properties: props) else { return nil }
    do {
      try await consumer.assign(ends.mapValues(\.high))
    } catch {
      return nil
    }
    return consumer
  }
}
