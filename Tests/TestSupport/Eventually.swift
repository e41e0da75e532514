/// Polls `condition` until it holds or `timeout` passes: a test waits for what it needs,
/// never for a fixed time. Returns whether it held; `what` names the wait in the caller's
/// failure message.
public func eventually(
  _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(100),
  _ condition: () async throws -> Bool
) async rethrows -> Bool {
  let deadline = ContinuousClock.now + timeout
  while true {
    if try await condition() { return true }
    if ContinuousClock.now >= deadline {
      print("[test] gave up after \(timeout) waiting until \(what)")
      return false
    }
    try? await Task.sleep(for: interval)
  }
}
