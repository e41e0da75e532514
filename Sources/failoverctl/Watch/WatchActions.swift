import DiscoveryClient
import Foundation
import KafkaClient

/// What `watch` does with each change: write the file, run the command, signal the
/// process, in that order, so that the command and the process read the new file.
struct WatchActions: Sendable {
  let out: String?
  let format: ClientConfiguration.Format
  let exec: String?
  let signal: Int32?
  let pid: Int32?

  func apply(_ state: FollowerState) async throws {
    let d = state.document
    printError(
      "watch \(d.service): epoch \(d.epoch) on \(d.active.cluster), writes \(state.writesAllowed ? "allowed" : "held"): \(state.reason)"
    )
    let text = ClientConfiguration.render(state, as: format)
    if let out {
      try AtomicFile.write(text, to: out)
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
    if let exec { await run(exec, state) }
    if let signal, let pid, kill(pid, signal) != 0 {
      printError("watch: cannot send signal \(signal) to \(pid): \(String(cString: strerror(errno)))")
    }
  }

  /// Runs the command through `/bin/sh -c` with the configuration in its environment and
  /// waits for it; a failure is reported and following goes on.
  private func run(_ command: String, _ state: FollowerState) async {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    var env = ProcessInfo.processInfo.environment
    for (k, v) in ClientConfiguration.environment(state) { env[k] = v }
    if let out { env["FAILOVERCTL_FILE"] = out }
    process.environment = env
    let status: Int32 = await withCheckedContinuation { c in
      process.terminationHandler = { c.resume(returning: $0.terminationStatus) }
      do {
        try ChildProcess.run(process)
      } catch {
        printError("watch: cannot run --exec: \(error)")
        process.terminationHandler = nil
        c.resume(returning: -1)
      }
    }
    if status != 0 { printError("watch: --exec exited with status \(status)") }
  }

  static func signalNumber(_ name: String) -> Int32? {
    if let n = Int32(name), n > 0, n < 65 { return n }
    let bare = name.uppercased().hasPrefix("SIG") ? String(name.uppercased().dropFirst(3)) : name.uppercased()
    return ["HUP": SIGHUP, "INT": SIGINT, "TERM": SIGTERM, "USR1": SIGUSR1, "USR2": SIGUSR2, "QUIT": SIGQUIT][bare]
  }
}
