/// A probe to run on a schedule.
public struct ScheduledProbe: Sendable {
  public let kind: ProbeKind
  public let subject: String
  public let interval: Duration
  public let run: @Sendable () async -> ProbeResult

  public init(kind: ProbeKind, subject: String, interval: Duration, run: @escaping @Sendable () async -> ProbeResult) {
    self.kind = kind
    self.subject = subject
    self.interval = interval
    self.run = run
  }
}

/// Runs probes, each on its own interval with jitter, at most `maxConcurrent` at a time.
/// Every probe has its own loop, so a slow one delays only itself; each bounds its own
/// work by its timeout.
public struct ProbeScheduler: Sendable {
  public let probes: [ScheduledProbe]
  public let limiter: AsyncLimiter
  /// Fraction of the interval by which each wait is randomly lengthened or shortened,
  /// so that probes started together do not stay in step.
  public let jitter: Double

  public init(probes: [ScheduledProbe], maxConcurrent: Int, jitter: Double = 0.1) {
    self.probes = probes
    self.limiter = AsyncLimiter(limit: maxConcurrent)
    self.jitter = jitter
  }

  /// Every probe once, concurrently within the bound; results in the order of `probes`.
  public func runOnce() async -> [ProbeResult] {
    await withTaskGroup(of: (Int, ProbeResult).self) { group in
      for (i, probe) in probes.enumerated() {
        group.addTask { (i, await limiter.run { await probe.run() }) }
      }
      var results = [ProbeResult?](repeating: nil, count: probes.count)
      for await (i, r) in group { results[i] = r }
      return results.compactMap { $0 }
    }
  }

  /// Runs until the task is cancelled, handing every result to `sink`.
  public func run(sink: @escaping @Sendable (ProbeResult) async -> Void) async {
    let origin = ContinuousClock.now
    await withTaskGroup(of: Void.self) { group in
      for probe in probes {
        group.addTask {
          // Start spread over the first interval rather than all at once.
          try? await Task.sleep(
            until: Self.onGrid(origin + probe.interval * Double.random(in: 0..<jitter.clamped), from: origin))
          while !Task.isCancelled {
            let started = ContinuousClock.now
            let result = await limiter.run { await probe.run() }
            await sink(result)
            let wait = probe.interval * Double.random(in: (1 - jitter.clamped)...(1 + jitter.clamped))
            try? await Task.sleep(until: Self.onGrid(started + wait, from: origin))
          }
        }
      }
    }
  }

  /// Probes wake on a 25 ms grid: those due within the same 25 ms wake together, in one
  /// turn of a thread, where each waking at its own instant woke a thread of its own
  /// (1,100 probes every 2 s: 550 wake-ups a second, and their context switches were the
  /// largest part of the prober's CPU; bench/README.md, probes).
  static let grid = Duration.milliseconds(25)

  static func onGrid(_ t: ContinuousClock.Instant, from origin: ContinuousClock.Instant) -> ContinuousClock.Instant {
    origin + grid * ((t - origin) / grid).rounded(.up)
  }
}

extension Double {
  fileprivate var clamped: Double { Swift.min(Swift.max(self, 0.0001), 0.5) }
}

/// At most `limit` operations at once; the others wait their turn in order.
public actor AsyncLimiter {
  private let limit: Int
  private var running = 0
  private var waiting: [CheckedContinuation<Void, Never>] = []

  public init(limit: Int) { self.limit = Swift.max(1, limit) }

  public func run<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
    await acquire()
    defer { release() }
    return await body()
  }

  private func acquire() async {
    if running < limit {
      running += 1
      return
    }
    await withCheckedContinuation { waiting.append($0) }
  }

  private func release() {
    if waiting.isEmpty {
      running -= 1
    } else {
      waiting.removeFirst().resume()
    }
  }
}

/// Results waiting to be written together (one transaction a second, not one a result).
public actor ResultBuffer {
  private var pending: [ProbeResult] = []
  public init() {}
  public func append(_ r: ProbeResult) { pending.append(r) }
  public func drain() -> [ProbeResult] {
    defer { pending = [] }
    return pending
  }
}
