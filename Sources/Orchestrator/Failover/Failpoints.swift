import Foundation

/// Test hooks at step boundaries, where a crash is most likely to leave a half-moved
/// service. From the environment variable `FAILOVERCTL_FAILPOINTS` (e.g.
/// `after:write-offsets`, `before:switch-discovery`, comma-separated) they end the process
/// at once, as a crash would (end-to-end tests); built with `halting:` they stop the
/// executor in-process with nothing more written (unit tests). `fail:NAME` makes the
/// background service NAME of `serve` fail as it starts, once per occurrence, to see it
/// supervised. Never set in production.
public struct Failpoints: Sendable {
  /// Where the executor is when it checks.
  public enum Boundary: String, Sendable {
    case before, after
  }

  let exiting: Set<String>
  let halting: Set<String>
  /// `fail:NAME` entries: how many times the background service NAME fails as it starts.
  let serviceFailures: [String: Int]

  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    let points = (environment["FAILOVERCTL_FAILPOINTS"] ?? "").split(separator: ",").map {
      $0.trimmingCharacters(in: .whitespaces)
    }.filter { !$0.isEmpty }
    exiting = Set(points.filter { !$0.hasPrefix("fail:") })
    serviceFailures = points.filter { $0.hasPrefix("fail:") }.reduce(into: [:]) {
      $0[String($1.dropFirst(5)), default: 0] += 1
    }
    halting = []
  }

  /// How many times the background service `name` is made to fail as it starts (`fail:NAME`,
  /// once per occurrence), to see it supervised.
  public func failures(of name: String) -> Int { serviceFailures[name] ?? 0 }

  /// Stops the executor (returns from `run`) at each of these boundaries.
  public init(halting points: [(Boundary, FailoverStepName)]) {
    exiting = []
    serviceFailures = [:]
    halting = Set(points.map { "\($0.0.rawValue):\($0.1.rawValue)" })
  }

  /// The same for a named point outside the failover's steps (`after:recovery-batch`).
  public func check(named key: String) -> Bool {
    if exiting.contains(key) {
      FileHandle.standardError.write(Data("failpoint \(key): exiting\n".utf8))
      _exit(86)
    }
    return halting.contains(key)
  }

  /// Ends the process at once (no cleanup, no flush beyond what the store committed) when
  /// `when:step` is an exiting point; true when it is a halting point.
  public func check(_ when: Boundary, _ step: FailoverStepName) -> Bool {
    let key = "\(when.rawValue):\(step.rawValue)"
    if exiting.contains(key) {
      FileHandle.standardError.write(Data("failpoint \(key): exiting\n".utf8))
      _exit(86)
    }
    return halting.contains(key)
  }
}
