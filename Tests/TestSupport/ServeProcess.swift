import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A `failoverctl serve` started as a user would, on a free loopback port.
public struct ServeProcess: Sendable {
  public let running: Failoverctl.Running
  /// `http://127.0.0.1:PORT`, as the server printed it.
  public let url: String
  private let errors: PendingRead

  /// Starts the server and returns once it prints "listening on URL"; throws with its
  /// standard error if it exits first.
  public static func start(
    config: String, db: String, listen: String = "127.0.0.1:0", extra: [String] = [],
    environment: [String: String] = [:]
  ) async throws -> ServeProcess {
    let running = try Failoverctl.start(
      ["serve", "--config", config, "--db", db, "--listen", listen] + extra, environment: environment)
    let errors = Thread.detachedRead(running.stderr)
    // A server that neither listens nor exits within a minute is killed: the test fails
    // with its standard error instead of waiting forever.
    let pid = running.process.processIdentifier
    let started = Task.detached {
      try await Task.sleep(for: .seconds(60))
      kill(pid, SIGKILL)
    }
    let line = await firstLine(running.stdout)
    started.cancel()
    guard let line, line.hasPrefix("listening on ") else {
      running.process.terminate()
      _ = await Failoverctl.wait(running.process)
      throw ServeError(message: "serve did not start: \(String(decoding: errors.wait(), as: UTF8.self))")
    }
    return ServeProcess(running: running, url: String(line.dropFirst("listening on ".count)), errors: errors)
  }

  /// Waits for the process to exit on its own; returns its status, or -1 when it still
  /// ran after `within` (it is killed then).
  public func exited(within: Duration = .seconds(120)) async -> Int32 {
    await Failoverctl.wait(running.process, within: within)
  }

  /// Sends `signal` and waits for the exit status; returns it with everything on stderr.
  /// A server still running 60 s later is killed (status -1).
  public func stop(signal: Int32 = SIGTERM) async -> (status: Int32, stderr: String) {
    kill(running.process.processIdentifier, SIGCONT)
    kill(running.process.processIdentifier, signal)
    let status = await Failoverctl.wait(running.process, within: .seconds(60))
    let err = await withCheckedContinuation { c in
      Thread { c.resume(returning: String(decoding: errors.wait(), as: UTF8.self)) }.start()
    }
    return (status, err)
  }

  /// Reads up to the first newline, off the cooperative pool.
  private static func firstLine(_ pipe: Pipe) async -> String? {
    await withCheckedContinuation { continuation in
      Thread {
        var bytes: [UInt8] = []
        let handle = pipe.fileHandleForReading
        while true {
          let chunk = handle.readData(ofLength: 1)
          if chunk.isEmpty { break }
          if chunk.first == UInt8(ascii: "\n") { break }
          bytes.append(contentsOf: chunk)
        }
        continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
      }.start()
    }
  }
}

extension ServeProcess {
  /// SIGKILL without waiting, for a `defer` (which cannot await): a test that throws
  /// half-way leaves no server behind.
  public func forceKill() {
    kill(running.process.processIdentifier, SIGCONT)
    kill(running.process.processIdentifier, SIGKILL)
  }
}

public struct ServeError: Error, CustomStringConvertible {
  public let message: String
  public init(message: String) { self.message = message }
  public var description: String { message }
}
