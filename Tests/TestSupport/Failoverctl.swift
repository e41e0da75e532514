import Foundation
import KafkaClient

/// Runs the built `failoverctl` as a user would, from the same build directory as the
/// test bundle.
public enum Failoverctl {
  public static var binary: URL {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    // macOS-style bundles nest the binary; Linux puts it beside the .xctest file.
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("failoverctl").path), dir.path != "/" {
      dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("failoverctl")
  }

  public struct Result: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
  }

  /// Runs to completion and returns the exit status and both outputs. A command still
  /// running after `timeout` is killed (SIGKILL) and answers status -1, so that a command
  /// that hangs fails its test instead of hanging the run.
  ///
  /// The waiting happens on a thread of its own: blocking one of the few cooperative
  /// threads for a whole command would stall every other test running in parallel.
  public static func run(_ arguments: [String], cwd: URL? = nil, timeout: Duration = .seconds(300)) async throws
    -> Result
  {
    let running = try start(arguments, cwd: cwd)
    return await withCheckedContinuation { continuation in
      Thread {
        let errReader = Thread.detachedRead(running.stderr)
        let outReader = Thread.detachedRead(running.stdout)
        let exited = blockUntilExit(running.process, within: timeout)
        let out = outReader.wait()
        var err = String(decoding: errReader.wait(), as: UTF8.self)
        if !exited { err += "\n[test] failoverctl \(arguments.joined(separator: " ")) killed after \(timeout)" }
        continuation.resume(
          returning: Result(
            status: exited ? running.process.terminationStatus : -1, stdout: String(decoding: out, as: UTF8.self),
            stderr: err))
      }.start()
    }
  }

  /// Reads everything a running command writes to stdout, off the cooperative pool.
  public static func readAll(_ pipe: Pipe) async -> String {
    await withCheckedContinuation { continuation in
      Thread {
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        continuation.resume(returning: String(decoding: data, as: UTF8.self))
      }.start()
    }
  }

  /// Waits for a process to exit, off the cooperative pool; its exit status, or -1 when it
  /// was still running after `within` (it is killed then).
  public static func wait(_ process: Process, within: Duration = .seconds(180)) async -> Int32 {
    await withCheckedContinuation { continuation in
      Thread {
        let exited = blockUntilExit(process, within: within)
        continuation.resume(returning: exited ? process.terminationStatus : -1)
      }.start()
    }
  }

  /// Until `process` has exited or `within` has passed (then SIGKILL, and false), polling.
  /// Not `waitUntilExit`: on a thread other than the main one it spins a run loop with no
  /// sources at full CPU for as long as the child lives (measured: 3.0 s of CPU waiting
  /// for a 3 s `sleep`), and a few of those starve a two-core machine running the tests.
  @discardableResult
  static func blockUntilExit(_ process: Process, within: Duration) -> Bool {
    let deadline = ContinuousClock.now + within
    while process.isRunning {
      if ContinuousClock.now >= deadline {
        kill(process.processIdentifier, SIGKILL)
        // Bounded too: a child whose exit Foundation never notices must not hang the run.
        let killed = ContinuousClock.now
        while process.isRunning && ContinuousClock.now - killed < .seconds(10) { usleep(20_000) }
        return false
      }
      usleep(20_000)
    }
    return true
  }

  public struct Running: @unchecked Sendable {
    // Process and Pipe predate Sendable; a Running value is only read after start, and
    // Foundation documents both as usable from any thread.

    public let process: Process
    public let stdout: Pipe
    public let stderr: Pipe
  }

  /// Starts without waiting, for long-running commands such as `lab up`; `executable`
  /// runs another program (a client in another language) under the same rules.
  public static func start(
    _ arguments: [String], cwd: URL? = nil, environment: [String: String] = [:], executable: URL? = nil
  ) throws -> Running {
    let process = Process()
    process.executableURL = executable ?? binary
    process.arguments = arguments
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    if let cwd { process.currentDirectoryURL = cwd }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try ChildProcess.run(process)
    return Running(process: process, stdout: out, stderr: err)
  }

  /// Starts `failoverctl lab up` and returns once its topology file is written.
  public static func startLab(regions: String = "east,west", topologyOut: String, extra: [String] = []) async throws
    -> Running
  {
    let lab = try start(
      ["lab", "up", "--regions", regions, "--topology-out", topologyOut, "--control", "127.0.0.1:0"] + extra)
    for _ in 0..<200 where !FileManager.default.fileExists(atPath: topologyOut) && lab.process.isRunning {
      try await Task.sleep(for: .milliseconds(50))
    }
    return lab
  }

  public static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  public static func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }
}

extension Thread {
  /// Drains a pipe on another thread so that a child filling both pipes cannot deadlock.
  static func detachedRead(_ pipe: Pipe) -> PendingRead {
    let pending = PendingRead()
    Thread {
      pending.finish(pipe.fileHandleForReading.readDataToEndOfFile())
    }.start()
    return pending
  }
}

/// The result of a read running on another thread.
final class PendingRead: @unchecked Sendable {
  // Guarded by `condition`: written once by the reading thread, read after it signals.
  private var data: Data?
  private let condition = NSCondition()

  func finish(_ value: Data) {
    condition.lock()
    data = value
    condition.signal()
    condition.unlock()
  }

  func wait() -> Data {
    condition.lock()
    while data == nil { condition.wait() }
    let value = data!
    condition.unlock()
    return value
  }
}
