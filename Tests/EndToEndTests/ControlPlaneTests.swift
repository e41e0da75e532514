import ControlService
import CurlHTTP
import Foundation
import KafkaClient
import KafkaLab
import Orchestrator
import TestSupport
import Testing

/// Two orchestrators of one deployment, coordinated through three real etcd members, run
/// as the built binary.
@Suite("failoverctl serve with a control plane on etcd", .serialized)
struct ControlPlaneTests {
  struct Instance {
    let name: String
    let url: String
    var server: ServeProcess
  }

  static func start(
    _ name: String, region: String, fixture: ServeFixture, environment: [String: String] = [:]
  ) async throws -> Instance {
    let port = try EtcdMembers.freePort()
    let url = "http://127.0.0.1:\(port)"
    let db = fixture.dir.appendingPathComponent("\(name).db").path
    let server = try await ServeProcess.start(
      config: fixture.topology, db: db, listen: "127.0.0.1:\(port)",
      extra: ["--instance", name, "--region", region, "--advertise", url], environment: environment)
    return Instance(name: name, url: url, server: server)
  }

  /// An instance's answer as the API's own type; nil when it answers something else.
  static func get<T: Decodable>(_ f: ServeFixture, _ base: String, _ path: String, as type: T.Type) async throws -> T? {
    let r = try await f.http.get(base + path, headers: f.headers("admin"), timeout: .seconds(5))
    return try? JSONCoding.decoder().decode(T.self, from: Data(r.body))
  }

  static func plane(_ f: ServeFixture, _ base: String) async throws -> ControlPlaneView? {
    try await get(f, base, "/v1/control-plane", as: ControlPlaneView.self)
  }

  static func discovery(_ f: ServeFixture, _ base: String) async throws -> DiscoveryDocument? {
    try await get(f, base, "/v1/services/orders/discovery", as: DiscoveryDocument.self)
  }

  /// `GET /v1/failovers`.
  struct Failovers: Decodable { let failovers: [FailoverRecord] }

  static func leader(_ f: ServeFixture, _ base: String) async throws -> String? {
    try await plane(f, base)?.leader?.instance
  }

  /// A lab and a topology whose control plane is `etcd` (lease TTL 5 s: long enough that
  /// a loaded test machine does not make leadership flap); the fixture's
  /// own first server is stopped: each test starts the instances it needs.
  static func coordinatedFixture(_ etcd: EtcdMembers) async throws -> ServeFixture {
    let endpoints = etcd.endpoints.map { "\"\($0)\"" }.joined(separator: ", ")
    let fixture = try await ServeFixture.start(
      extraTopology: "\ncontrolPlane:\n  etcd:\n    endpoints: [\(endpoints)]\n  leaseTTL: 5s\n",
      serveArguments: ["--instance", "setup", "--region", "east"])
    _ = await fixture.server.stop()
    return fixture
  }

  /// Until the instance at `url` reports `name` as the leader; false if it never does.
  static func waitForLeader(_ name: String, at url: String, _ f: ServeFixture, within: Duration = .seconds(10))
    async throws -> Bool
  {
    try await eventually("\(name) leads, as \(url) says", timeout: within, every: .milliseconds(200)) {
      try await leader(f, url) == name
    }
  }

  /// The leader dies (as if killed) right after writing the offsets of a promote; the
  /// other instance takes over and finishes the same failover from the shared journal.
  @Test func aLeaderKilledMidFailoverIsReplacedAndTheFailoverFinishes() async throws {
    let etcd = try await EtcdMembers(count: 3)
    defer { etcd.stop() }
    var fixture = try await Self.coordinatedFixture(etcd)
    defer { fixture.lab?.process.interrupt() }
    let west = try await FailoverResumeTests.seed(fixture.topology)

    let a = try await Self.start(
      "a", region: "east", fixture: fixture, environment: ["FAILOVERCTL_FAILPOINTS": "after:write-offsets"])
    defer { a.server.forceKill() }
    try #require(try await Self.waitForLeader("a", at: a.url, fixture))
    let b = try await Self.start("b", region: "west", fixture: fixture)
    defer { b.server.forceKill() }
    let plane = try await Self.plane(fixture, b.url)
    #expect(plane?.mode == .coordinated)
    #expect(plane?.`self`.role == .follower)
    // b forwards to the leader it knows of: on a loaded machine it may not have read it yet.
    try #require(try await Self.waitForLeader("a", at: b.url, fixture))

    // Sent to the follower, carried out by the leader.
    fixture.server = b.server
    let accepted = try await fixture.post("/v1/services/orders/promote", #"{"to": "west", "reason": "drill"}"#)
    #expect(accepted.status == 202, "\(accepted.text)")
    // a must have run it (it leads): otherwise its failpoint never fires and it never exits.
    try #require(accepted.headers.first { $0.name.lowercased() == "x-failoverctl-instance" }?.value == "a")
    let id = try #require(try JSONCoding.decoder().decode(SwitchOutcome.self, from: Data(accepted.body)).failover?.id)
    #expect(await a.server.exited() == 86)
    let died = ContinuousClock.now

    // b becomes leader once a's lease has expired, and resumes the failover.
    var record: FailoverRecord?
    _ = try await eventually("b finishes failover \(id)", timeout: .seconds(30), every: .milliseconds(200)) {
      record = try await Self.get(fixture, b.url, "/v1/failovers/\(id)", as: FailoverRecord.self)
      return record?.status == .succeeded
    }
    let took = ContinuousClock.now - died
    print("control plane: leader killed -> failover finished by the next leader in \(took)")
    #expect(record?.status == .succeeded, "\(String(describing: record))")
    #expect(try await Self.leader(fixture, b.url) == "b")
    let steps = record?.steps ?? []
    #expect(steps.allSatisfy { $0.status == ($0.name == .waitForLeases ? .skipped : .done) })
    // write-offsets ran once, on a: its attempt count is 1.
    #expect(steps.first { $0.name == .writeOffsets }?.attempt == 1)
    let doc = try await Self.discovery(fixture, b.url)
    #expect(doc?.epoch == 3)
    #expect(doc?.active.cluster == "west")
    let committed = try await west.committedOffsets(
      group: "orders-processor", partitions: [TopicPartition("east.orders", 0)])
    #expect(committed[TopicPartition("east.orders", 0)] == 31)
    let history = try await Self.get(fixture, b.url, "/v1/failovers?service=orders", as: Failovers.self)
    #expect(history?.failovers.count == 1)

    // a restarts (same database, failpoint gone): a follower now, it catches up with the
    // shared state and serves the same discovery epoch; it resumes nothing itself.
    let again = try await Self.start("a", region: "east", fixture: fixture)
    defer { again.server.forceKill() }
    #expect(try await Self.waitForLeader("b", at: again.url, fixture))
    var restarted: DiscoveryDocument?
    _ = try await eventually("the restarted instance serves epoch 3", timeout: .seconds(10), every: .milliseconds(200))
    {
      restarted = try await Self.discovery(fixture, again.url)
      return restarted?.epoch == 3
    }
    #expect(restarted?.epoch == 3, "\(String(describing: restarted))")
    #expect(restarted?.active.cluster == "west")
    _ = await again.server.stop()
    _ = await b.server.stop()
  }

  /// The leader is frozen (SIGSTOP) for longer than its lease: the other instance takes
  /// over; once thawed, the old leader knows it is a follower and forwards mutations to
  /// the new one instead of acting.
  @Test func aLeaderFrozenPastItsLeaseWakesAsAFollower() async throws {
    let etcd = try await EtcdMembers(count: 3)
    defer { etcd.stop() }
    var fixture = try await Self.coordinatedFixture(etcd)
    defer { fixture.lab?.process.interrupt() }
    let a = try await Self.start("a", region: "east", fixture: fixture)
    defer { a.server.forceKill() }
    #expect(try await Self.waitForLeader("a", at: a.url, fixture))
    let tokenA = try await Self.plane(fixture, a.url)?.fencingToken
    let b = try await Self.start("b", region: "west", fixture: fixture)
    defer { b.server.forceKill() }
    kill(a.server.running.process.processIdentifier, SIGSTOP)
    #expect(try await Self.waitForLeader("b", at: b.url, fixture, within: .seconds(20)))
    let tokenB = try await Self.plane(fixture, b.url)?.fencingToken
    #expect((tokenB ?? 0) > (tokenA ?? Int64.max))
    kill(a.server.running.process.processIdentifier, SIGCONT)
    // Awake, a learns at its next round who leads now, and is a follower.
    #expect(try await Self.waitForLeader("b", at: a.url, fixture))
    #expect(try await Self.plane(fixture, a.url)?.`self`.role == .follower)
    fixture.server = a.server
    let dry = try await fixture.post("/v1/services/orders/promote", #"{"to": "west", "dryRun": true}"#)
    #expect(dry.status == 200, "\(dry.text)")
    #expect(dry.headers.first { $0.name.lowercased() == "x-failoverctl-instance" }?.value == "b")
    // A real promote through the follower runs on b; a serves its outcome from the shared state.
    let moved = try await fixture.post("/v1/services/orders/promote", #"{"to": "west", "reason": "drill"}"#)
    #expect(moved.status == 202, "\(moved.text)")
    var epoch: Int64?
    _ = try await eventually("a serves epoch 3", timeout: .seconds(20), every: .milliseconds(200)) {
      epoch = try await Self.discovery(fixture, a.url)?.epoch
      return epoch == 3
    }
    #expect(epoch == 3)
    _ = await a.server.stop()
    _ = await b.server.stop()
  }

  /// `lab up --control-plane 3`: three etcd members named after the regions, and a
  /// topology whose controlPlane: section names them; `serve` on it leads.
  /// An instance cut off from etcd (TCP proxies in front of every member, cut) stops
  /// serving discovery within its staleness bound, ends its event streams, and serves
  /// again once it reads etcd; the instance that still reaches etcd serves throughout.
  @Test func anInstanceCutOffFromEtcdGoesStaleAndComesBack() async throws {
    let etcd = try await EtcdMembers(count: 3)
    defer { etcd.stop() }
    let fixture = try await Self.coordinatedFixture(etcd)
    defer { fixture.lab?.process.interrupt() }
    let proxies = try etcd.endpoints.map { try PausableProxy(upstreamPort: Int($0.split(separator: ":").last!)!) }
    defer { for p in proxies { p.stop() } }
    // b reaches etcd through the proxies only: its own copy of the topology says so.
    var yaml = try String(contentsOfFile: fixture.topology, encoding: .utf8)
    for (member, proxy) in zip(etcd.endpoints, proxies) {
      yaml = yaml.replacingOccurrences(of: member, with: proxy.url)
    }
    let bTopology = fixture.dir.appendingPathComponent("b.yaml").path
    try yaml.write(toFile: bTopology, atomically: true, encoding: .utf8)

    let a = try await Self.start("a", region: "east", fixture: fixture)
    defer { a.server.forceKill() }
    try #require(try await Self.waitForLeader("a", at: a.url, fixture))
    let bPort = try EtcdMembers.freePort()
    let bURL = "http://127.0.0.1:\(bPort)"
    let b = try await ServeProcess.start(
      config: bTopology, db: fixture.dir.appendingPathComponent("b.db").path, listen: "127.0.0.1:\(bPort)",
      extra: ["--instance", "b", "--region", "west", "--advertise", bURL])
    defer { b.forceKill() }
    try #require(try await Self.waitForLeader("a", at: bURL, fixture))
    let discovery = "/v1/services/orders/discovery"
    #expect(try await fixture.http.get(bURL + discovery).status == 200)
    let stream = EventStreamRecorder(bURL + "/v1/services/orders/events")
    #expect(await stream.wait { !$0.isEmpty })

    for p in proxies { p.cut() }
    let cut = ContinuousClock.now
    var stale: HTTPResponse? = nil
    while ContinuousClock.now - cut < .seconds(20) {
      let r = try await fixture.http.get(bURL + discovery)
      if r.status == 503 {
        stale = r
        break
      }
      try await Task.sleep(for: .milliseconds(200))
    }
    print("an instance cut off from etcd went stale after \(ContinuousClock.now - cut)")
    let answer = try #require(stale, "b kept serving discovery without etcd")
    #expect(try json(answer)["error"] as? String == "stale")
    #expect(answer.header("Retry-After") == "1")
    #expect(await stream.ended(within: .seconds(5)))
    #expect(try await fixture.http.get(a.url + discovery).status == 200)

    for p in proxies { p.heal() }
    let back = try await eventually("b serves again", timeout: .seconds(20), every: .milliseconds(200)) {
      try await fixture.http.get(bURL + discovery).status == 200
    }
    #expect(back, "b did not serve again once it reached etcd")
    await stream.stop()
  }

  @Test func theLabStartsEtcdMembersAndWritesTheControlPlaneSection() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let topology = dir.appendingPathComponent("lab.yaml").path
    let lab = try await Failoverctl.startLab(
      regions: "east,west,central", topologyOut: topology, extra: ["--control-plane", "3"])
    defer { lab.process.interrupt() }
    let validated = try await Failoverctl.run(["config", "validate", topology])
    #expect(validated.status == 0, "\(validated.stderr)")
    let yaml = try String(contentsOfFile: topology, encoding: .utf8)
    #expect(yaml.contains("controlPlane:"))
    #expect(yaml.contains("leaseTTL: 5s"))
    let server = try await ServeProcess.start(
      config: topology, db: dir.appendingPathComponent("a.db").path,
      extra: [
        "--instance", "a", "--region", "west", "--policies",
        Failoverctl.packageRoot.appendingPathComponent("policies").path,
      ])
    defer { server.forceKill() }
    let http = HTTPClient(maxConcurrentRequests: 1)
    var doc: HTTPResponse?
    _ = await eventually("the server answers discovery", timeout: .seconds(5)) {
      doc = try? await http.get(server.url + "/v1/services/orders/discovery", timeout: .seconds(2))
      return doc?.status == 200
    }
    #expect(doc?.status == 200)
    let refused = try await Failoverctl.run(
      [
        "serve", "--config", topology, "--db", dir.appendingPathComponent("b.db").path, "--listen", "127.0.0.1:0",
        "--policies", Failoverctl.packageRoot.appendingPathComponent("policies").path,
      ])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("a coordinated orchestrator needs the region it runs in"))
    _ = await server.stop()
  }
}
