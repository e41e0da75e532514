import Foundation
import KafkaClient
import KafkaLab

#if canImport(Glibc)
  import Glibc
#endif

/// One `failoverctl serve` of the control-plane demo, a child process of the demo (the
/// same binary): it can be killed with SIGKILL like a machine that dies, which an
/// in-process server cannot (cancelling it would resign its leadership politely).
final class DemoOrchestrator: Sendable {
  let instance: String
  let region: String
  let url: String
  let log: String
  private let process: Process

  init(binary: URL, instance: String, region: String, topology: String, policies: String, work: URL) throws {
    self.instance = instance
    self.region = region
    let port = try EtcdMembers.freePort()
    url = "http://127.0.0.1:\(port)"
    log = work.appendingPathComponent("\(instance).log").path
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    let p = Process()
    p.executableURL = binary
    p.arguments = [
      "serve", "--config", topology, "--db", work.appendingPathComponent("\(instance).db").path, "--listen",
      "127.0.0.1:\(port)", "--instance", instance, "--region", region, "--advertise", url, "--policies", policies,
    ]
    p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
    p.standardError = FileHandle(forWritingAtPath: log)
    try ChildProcess.run(p)
    process = p
  }

  var isRunning: Bool { process.isRunning }

  /// SIGKILL: the instance is gone at once, lease and all still in etcd until its TTL.
  func kill() { Glibc.kill(process.processIdentifier, SIGKILL) }

  /// SIGTERM, then SIGKILL if it has not exited within `grace`.
  func stop(grace: Duration = .seconds(10)) async {
    guard process.isRunning else { return }
    Glibc.kill(process.processIdentifier, SIGTERM)
    let deadline = ContinuousClock.now + grace
    while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
    if process.isRunning { kill() }
  }
}
