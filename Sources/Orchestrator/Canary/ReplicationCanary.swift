import Foundation
import HealthProbes
import KafkaClient
import Topology

/// A flow's replication canary: every interval a small record is written to the canary
/// topic on the source (partition 0, value `failoverctl-canary <flow> <instance> <seq>
/// <sent ms>`) and its copy is looked for on the target's remote topic, for a part of the
/// interval: the latency measured is write-to-copy-readable, as a consumer on the target
/// would see it, to a tenth of a second. A copy not there after the timeout is lost, and
/// the flow is degraded with the reason, whatever its heartbeats say (a task that stopped
/// copying still heartbeats). Each orchestrator instance tells its own records apart.
public actor ReplicationCanary {
  public let flow: Flow
  public let settings: FlowCanary
  let source: any KafkaOperations
  let target: any KafkaOperations
  let instance: String
  private var seq: Int64 = 0
  private var pending: [Int64: Date] = [:]
  /// The next offset to read of the copy; nil until its end is known (older canaries of
  /// earlier runs are not this run's).
  private var position: Int64? = nil
  private var latencies: [Double] = []
  public private(set) var state: CanaryState
  private var lastLostAt: Date? = nil
  /// Creates the canary topic on the source (one partition) when it is missing; nil where
  /// the cluster cannot (a test fake).
  let createTopic: (@Sendable () async throws -> Void)?
  private var topicChecked = false

  public init(
    flow: Flow, settings: FlowCanary, source: any KafkaOperations, target: any KafkaOperations,
    instance: String = ProcessInfo.processInfo.hostName + "-" + String(ProcessInfo.processInfo.processIdentifier),
    createTopic: (@Sendable () async throws -> Void)? = nil
  ) {
    self.createTopic = createTopic
    self.flow = flow
    self.settings = settings
    self.source = source
    self.target = target
    self.instance = instance.replacingOccurrences(of: " ", with: "_")
    state = CanaryState(flow: flow.name, topic: settings.topic, copyTopic: flow.remoteTopic(settings.topic))
  }

  var copy: TopicPartition { TopicPartition(state.copyTopic, 0) }

  /// One round: write a canary, wait for copies (this one's, or late ones) for up to
  /// `wait`, count what is lost; the probe's verdict.
  public func tick(wait: Duration, now: @Sendable () -> Date = { Date() }) async -> ProbeResult {
    let result = ProbeStopwatch(kind: .canary, subject: flow.name).result
    state.lastError = nil
    await send(now())
    let deadline = ContinuousClock.now + wait
    repeat {
      await readCopies(now())
      if pending.isEmpty { break }
      try? await Task.sleep(for: .milliseconds(100))
    } while ContinuousClock.now < deadline
    let at = now()
    expire(at)
    return verdict(result, at: at)
  }

  private func send(_ at: Date) async {
    seq += 1
    let ms = Int64(at.timeIntervalSince1970 * 1000)
    let value = "failoverctl-canary \(flow.name) \(instance) \(seq) \(ms)"
    do {
      if !topicChecked {
        let topics = try await source.describeCluster(timeout: .seconds(2)).topics.map(\.name)
        if !topics.contains(settings.topic), let createTopic { try await createTopic() }
        topicChecked = true
      }
      if position == nil {
        let end = try await target.watermarks(for: [copy], timeout: .seconds(2))[copy]?.high
        position = end ?? 0
      }
      _ = try await source.produce(
        [
          ProducerRecord(
            topic: settings.topic, partition: 0, key: Array("failoverctl-canary".utf8), value: Array(value.utf8),
            timestamp: ms)
        ], timeout: .seconds(5))
      pending[seq] = at
      state.sent += 1
    } catch {
      state.lastError = "canary not written to \(settings.topic) on \(flow.source): \(error)"
    }
  }

  private func readCopies(_ at: Date) async {
    guard let from = position else { return }
    do {
      let end = try await target.watermarks(for: [copy], timeout: .seconds(2))[copy]?.high ?? from
      guard end > from else { return }
      let records = try await target.read(copy, from: from, until: end, maxRecords: 1000, timeout: .seconds(2))
      for r in records {
        position = r.offset + 1
        guard let value = r.value.map({ String(decoding: $0, as: UTF8.self) }) else { continue }
        let fields = value.split(separator: " ")
        guard fields.count == 5, fields[0] == "failoverctl-canary", fields[1] == flow.name, fields[2] == instance,
          let n = Int64(fields[3]), let sent = pending.removeValue(forKey: n)
        else { continue }
        let latency = max(0, at.timeIntervalSince(sent))
        state.arrived += 1
        state.lastLatencySeconds = latency
        state.lastArrivalAt = at
        latencies = Array((latencies + [latency]).suffix(60))
        state.medianLatencySeconds = latencies.sorted()[latencies.count / 2]
      }
    } catch {
      state.lastError = "copies not read from \(state.copyTopic) on \(flow.target): \(error)"
    }
  }

  private func expire(_ at: Date) {
    let timeout = settings.timeout / .seconds(1)
    for (n, sent) in pending where at.timeIntervalSince(sent) > timeout {
      pending.removeValue(forKey: n)
      state.lost += 1
      lastLostAt = at
    }
    state.oldestPendingSeconds = pending.values.min().map { max(0, at.timeIntervalSince($0)) } ?? 0
  }

  /// A canary was lost and none has arrived since: degraded until one does.
  private var lostRecently: Bool {
    guard let lost = lastLostAt else { return false }
    return (state.lastArrivalAt ?? .distantPast) < lost
  }

  private func verdict(_ result: (HealthState, [String]) -> ProbeResult, at now: Date) -> ProbeResult {
    let timeout = Int(settings.timeout / .seconds(1))
    if let error = state.lastError { return result(.degraded, [error]) }
    if lostRecently {
      let since = state.lastArrivalAt.map {
        String(format: "; the last arrived %.0f s ago", now.timeIntervalSince($0))
      }
      return result(
        .degraded,
        [
          "canary records written to \(settings.topic) on \(flow.source) have not reached \(state.copyTopic) on "
            + "\(flow.target) within \(timeout) s (\(state.lost) lost\(since ?? ", none ever arrived"))"
        ])
    }
    let latency = state.lastLatencySeconds.map { String(format: "canary latency %.1f s", $0) } ?? "canary on its way"
    return result(.healthy, [latency])
  }
}
