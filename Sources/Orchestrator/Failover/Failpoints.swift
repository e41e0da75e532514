import Foundation

/// Test hooks that end the process at a step boundary, as a crash would. Enabled only by
/// the environment variable `FAILOVERCTL_FAILPOINTS` (e.g. `after:write-offsets`,
/// `before:switch-discovery`, comma-separated); never set in production.
public struct Failpoints: Sendable {
  let points: Set<String>

  public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
    points = Set(
      (environment["FAILOVERCTL_FAILPOINTS"] ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }.filter { !$0.isEmpty })
  }

  /// Ends the process at once (no cleanup, no flush beyond what SQLite committed) when
  /// `when:step` is enabled.
  public func check(_ when: String, _ step: FailoverStepName) {
    guard points.contains("\(when):\(step.rawValue)") else { return }
    FileHandle.standardError.write(Data("failpoint \(when):\(step.rawValue): exiting\n".utf8))
    _exit(86)
  }
}
