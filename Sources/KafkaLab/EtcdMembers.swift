import CurlHTTP
import Foundation
import KafkaClient

#if canImport(Glibc)
  import Glibc
#endif

/// A real etcd cluster of `count` members for the lab and the tests: `etcd` processes on
/// loopback ports, data on tmpfs (`/dev/shm` where there is one), `--pre-vote=true`.
/// Members can be killed, frozen (SIGSTOP) and thawed, as a region's would be.
public final class EtcdMembers: Sendable {
  public struct Member: Sendable {
    public let name: String
    public let clientURL: String
    public let peerURL: String
    let dataDir: String
  }

  public let members: [Member]
  private let processes: [Process]
  private let root: String

  /// Starts the members and waits until the cluster answers a linearizable read.
  public init(count: Int = 3, names: [String]? = nil, binary: String = "/usr/bin/etcd") async throws {
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw EtcdMembersError("\(binary) not found: install etcd-server (make deps does)")
    }
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    root = (base as NSString).appendingPathComponent("failoverctl-etcd-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    let names = names ?? (0..<count).map { "m\($0)" }
    var members: [Member] = []
    for name in names {
      let client = try Self.freePort()
      let peer = try Self.freePort()
      members.append(
        Member(
          name: name, clientURL: "http://127.0.0.1:\(client)", peerURL: "http://127.0.0.1:\(peer)",
          dataDir: (root as NSString).appendingPathComponent(name)))
    }
    let cluster = members.map { "\($0.name)=\($0.peerURL)" }.joined(separator: ",")
    // One token for the whole cluster: members with different tokens refuse each other.
    let token = UUID().uuidString
    var processes: [Process] = []
    for m in members {
      let p = Process()
      p.executableURL = URL(fileURLWithPath: binary)
      p.arguments = [
        "--name", m.name, "--data-dir", m.dataDir, "--listen-client-urls", m.clientURL, "--advertise-client-urls",
        m.clientURL, "--listen-peer-urls", m.peerURL, "--initial-advertise-peer-urls", m.peerURL, "--initial-cluster",
        cluster, "--initial-cluster-state", "new", "--initial-cluster-token", token,
        "--pre-vote=true", "--log-level", "error",
      ]
      let log = FileHandle(forWritingAtPath: "/dev/null")
      p.standardOutput = log
      p.standardError = FileHandle(
        forWritingAtPath: FileManager.default.createFile(atPath: m.dataDir + ".log", contents: nil)
          ? m.dataDir + ".log" : "/dev/null")
      try ChildProcess.run(p)
      processes.append(p)
    }
    self.members = members
    self.processes = processes
    // Generous: on a loaded machine (a whole test run beside it) a first election can take
    // most of this; an error says what the member logged.
    try await waitUntilServing(timeout: .seconds(60))
  }

  public var endpoints: [String] { members.map(\.clientURL) }

  /// Until a linearizable range answers on every member that runs.
  public func waitUntilServing(timeout: Duration) async throws {
    let deadline = ContinuousClock.now + timeout
    for (i, m) in members.enumerated() where processes[i].isRunning {
      while true {
        if await Self.answers(m.clientURL) { break }
        guard ContinuousClock.now < deadline else {
          let log = (try? String(contentsOfFile: m.dataDir + ".log", encoding: .utf8)) ?? ""
          throw EtcdMembersError(
            "etcd member \(m.name) did not start" + (log.isEmpty ? "" : "; its log ends: \(log.suffix(600))"))
        }
        try await Task.sleep(for: .milliseconds(100))
      }
    }
  }

  static let http = HTTPClient(maxConcurrentRequests: 4)

  static func answers(_ url: String) async -> Bool {
    let r = try? await http.send(
      HTTPRequest(
        method: .post, url: url + "/v3/kv/range", body: Array(#"{"key":"AA=="}"#.utf8), connectTimeout: .seconds(1),
        timeout: .seconds(1)))
    return r?.status == 200
  }

  /// The member etcd's raft elected leader, as the running members report it
  /// (`/v3/maintenance/status`: each names the leader's id, and its own in its header).
  public func raftLeader() async -> Int? {
    struct Status: Decodable {
      struct Header: Decodable { let member_id: String? }
      let header: Header?
      let leader: String?
    }
    for (i, m) in members.enumerated() where processes[i].isRunning {
      guard
        let r = try? await Self.http.send(
          HTTPRequest(
            method: .post, url: m.clientURL + "/v3/maintenance/status", body: Array("{}".utf8),
            connectTimeout: .seconds(1), timeout: .seconds(1))),
        let status = try? JSONDecoder().decode(Status.self, from: Data(r.body))
      else { continue }
      if let leader = status.leader, leader == status.header?.member_id { return i }
    }
    return nil
  }

  /// Each member's state in one line (running or not, answering a linearizable read or
  /// not, and the end of its log when it does not): what an error shows when the cluster
  /// did not do what a test waited for.
  public func diagnosis() async -> String {
    var lines: [String] = []
    for (i, m) in members.enumerated() {
      guard processes[i].isRunning else {
        lines.append("etcd \(m.name): not running")
        continue
      }
      if await Self.answers(m.clientURL) {
        lines.append("etcd \(m.name): answers")
      } else {
        let log = (try? String(contentsOfFile: m.dataDir + ".log", encoding: .utf8)) ?? ""
        lines.append("etcd \(m.name): running, no answer; its log ends: \(log.suffix(400))")
      }
    }
    if let leader = await raftLeader() { lines.append("etcd raft leader: \(members[leader].name)") }
    return lines.joined(separator: "\n")
  }

  /// SIGKILL: the member is gone, as with its region.
  public func kill(_ i: Int) {
    guard processes[i].isRunning else { return }
    Glibc.kill(processes[i].processIdentifier, SIGKILL)
    Self.awaitExit(processes[i])
  }

  /// Until `p` has exited, at most 2 s. Not `waitUntilExit`: on Linux it spins a run loop
  /// with no sources at full CPU, which starves everything else when a process is slow
  /// to go (a test calling it holds one of Swift's few cooperative threads).
  static func awaitExit(_ p: Process) {
    var tries = 0
    while p.isRunning, tries < 200 {
      usleep(10_000)
      tries += 1
    }
  }

  /// SIGSTOP and SIGCONT: a frozen member (or machine) and its return.
  public func freeze(_ i: Int) { Glibc.kill(processes[i].processIdentifier, SIGSTOP) }
  public func thaw(_ i: Int) { Glibc.kill(processes[i].processIdentifier, SIGCONT) }

  /// Stops every member and removes their data.
  /// Test data on tmpfs: nothing to shut down gracefully, so SIGKILL (a frozen member
  /// is killed as well).
  public func stop() {
    for p in processes where p.isRunning { Glibc.kill(p.processIdentifier, SIGKILL) }
    for p in processes { Self.awaitExit(p) }
    try? FileManager.default.removeItem(atPath: root)
  }

  deinit { stop() }

  /// A port nothing listens on now (bound to 0, read back, closed).
  public static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw EtcdMembersError("socket: \(errno)") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
    }
    guard bound == 0 else { throw EtcdMembersError("bind: \(errno)") }
    _ = withUnsafeMutablePointer(to: &addr) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return Int(UInt16(bigEndian: addr.sin_port))
  }
}

public struct EtcdMembersError: Error, CustomStringConvertible, Sendable {
  public let description: String
  init(_ description: String) { self.description = description }
}
