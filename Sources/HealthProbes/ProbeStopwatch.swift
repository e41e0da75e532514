/// Times one probe run and makes its result: every probe reports its latency the same way.
public struct ProbeStopwatch: Sendable {
  public let kind: ProbeKind
  public let subject: String
  let start = ContinuousClock.now

  public init(kind: ProbeKind, subject: String) {
    self.kind = kind
    self.subject = subject
  }

  /// The result at this moment: the latency is the time since the stopwatch was made.
  public func result(_ state: HealthState, _ reasons: [String]) -> ProbeResult {
    ProbeResult(
      kind: kind, subject: subject, state: state, reasons: reasons,
      latencyMilliseconds: (ContinuousClock.now - start) / .milliseconds(1))
  }
}
