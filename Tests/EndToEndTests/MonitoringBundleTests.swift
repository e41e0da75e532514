import CurlHTTP
import Foundation
import KafkaClient
import Orchestrator
import TestSupport
import Testing
import Topology

#if canImport(Glibc)
  import Glibc
#endif

/// deploy/prometheus: the rules checked and unit-tested by promtool, and a real Prometheus
/// (Debian's) scraping `serve` over a mirrored lab with canaries: every query of the
/// Grafana dashboard returns series; a region killed, the region-down alerts fire and the
/// others stay quiet.
@Suite("The monitoring bundle on a real Prometheus")
struct MonitoringBundleTests {
  static let promtool = URL(fileURLWithPath: "/usr/bin/promtool")
  static let prometheus = URL(fileURLWithPath: "/usr/bin/prometheus")
  static var bundle: URL { Failoverctl.packageRoot.appendingPathComponent("deploy/prometheus") }

  static func requireTools() throws {
    for tool in [promtool, prometheus] {
      try #require(
        FileManager.default.isExecutableFile(atPath: tool.path),
        "no \(tool.path): run `make deps` (it installs Debian's prometheus)")
    }
  }

  /// Runs a tool to its end; its status and both outputs.
  static func run(_ tool: URL, _ arguments: [String], cwd: URL? = nil) async throws -> (Int32, String) {
    let p = try Failoverctl.start(arguments, cwd: cwd, executable: tool)
    async let out = Failoverctl.readAll(p.stdout)
    async let err = Failoverctl.readAll(p.stderr)
    let status = await Failoverctl.wait(p.process, within: .seconds(60))
    return (status, await out + "\n" + (await err))
  }

  @Test func promtoolChecksAndUnitTestsTheRules() async throws {
    try Self.requireTools()
    let (checked, checkText) = try await Self.run(
      Self.promtool, ["check", "rules", Self.bundle.appendingPathComponent("failoverctl.rules.yml").path])
    #expect(checked == 0, "\(checkText)")
    let (tested, testText) = try await Self.run(
      Self.promtool, ["test", "rules", "failoverctl.rules.test.yml"], cwd: Self.bundle)
    #expect(tested == 0 && testText.contains("SUCCESS"), "\(testText)")
  }

  /// A port nobody listens on now (the kernel's pick, released for Prometheus to take).
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
      }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Every PromQL expression of deploy/grafana/failoverctl.json.
  static func dashboardQueries() throws -> [String] {
    let url = Failoverctl.packageRoot.appendingPathComponent("deploy/grafana/failoverctl.json")
    let dashboard = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    return (dashboard["panels"] as? [[String: Any]] ?? []).flatMap { panel in
      (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
    }
  }

  /// How many series an instant query returns.
  static func series(_ http: HTTPClient, _ base: String, _ query: String) async throws -> Int {
    let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
    let r = try await http.get(base + "/api/v1/query?query=" + encoded, timeout: .seconds(5))
    let body = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
    return ((body?["data"] as? [String: Any])?["result"] as? [Any])?.count ?? 0
  }

  /// Alerts Prometheus holds now: name and labels, and whether firing.
  static func alerts(_ http: HTTPClient, _ base: String) async throws -> [(
    name: String, labels: [String: String], firing: Bool
  )] {
    let r = try await http.get(base + "/api/v1/alerts", timeout: .seconds(5))
    let body = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any]
    let list = ((body?["data"] as? [String: Any])?["alerts"] as? [[String: Any]]) ?? []
    return list.map {
      let labels = ($0["labels"] as? [String: String]) ?? [:]
      return (labels["alertname"] ?? "", labels, $0["state"] as? String == "firing")
    }
  }

  @Test func aRealPrometheusAnswersTheDashboardAndSeesTheRegionDownAlertsFire() async throws {
    try Self.requireTools()
    let f = try await ServeFixture.start(labArguments: ["--mirror", "--canary"])
    defer { f.server.forceKill() }
    let target = f.server.url.replacingOccurrences(of: "http://", with: "")
    let port = try Self.freePort()
    let config = f.dir.appendingPathComponent("prometheus.yml")
    try """
    global: {scrape_interval: 1s, evaluation_interval: 1s}
    rule_files: [\(Self.bundle.appendingPathComponent("failoverctl.rules.yml").path)]
    scrape_configs:
      - job_name: failoverctl
        static_configs: [{targets: ["\(target)"]}]
    """.write(to: config, atomically: true, encoding: .utf8)
    let prometheus = try Failoverctl.start(
      [
        "--config.file=\(config.path)", "--storage.tsdb.path=\(f.dir.appendingPathComponent("tsdb").path)",
        "--web.listen-address=127.0.0.1:\(port)",
      ], executable: Self.prometheus)
    defer { if prometheus.process.isRunning { prometheus.process.terminate() } }
    let base = "http://127.0.0.1:\(port)"
    let http = HTTPClient()
    let scraping = await eventually("Prometheus scrapes serve and has both clusters healthy", timeout: .seconds(60)) {
      guard
        let r = try? await http.get(
          base + "/api/v1/query?query=count(kafka_failover_cluster_health%20%3D%3D%200)", timeout: .seconds(5)),
        let body = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
        let result = ((body["data"] as? [String: Any])?["result"] as? [[String: Any]])?.first,
        let value = result["value"] as? [Any]
      else { return false }
      return value.last as? String == "2"
    }
    try #require(scraping, "Prometheus never saw both clusters healthy")

    // The dashboard: with a group committed on east (so that MM2 checkpoints it) and after
    // a planned promote (so that failovers have a series), every one of its queries
    // returns series from this Prometheus.
    let east = try TopologyLoader.load(path: f.topology).topology.cluster("east")!.makeClient()
    _ = try await east.produce([ProducerRecord(topic: "orders", partition: 0, value: Array("one".utf8))])
    _ = try await east.alterGroupOffsets(group: "orders-processor", offsets: [TopicPartition("orders", 0): 1])
    let moved = try await f.switchOver("/v1/services/orders/promote", #"{"to": "west", "reason": "dashboard"}"#)
    #expect(moved.status == .succeeded, "\(moved)")
    // A drill of payments (out and back: it stays on east), for the drill panel's series.
    let drilled = try await eventually("a drill of payments passed", timeout: .seconds(90), every: .milliseconds(500)) {
      let list = try await f.drills(of: "payments")
      if list.isEmpty || list.first?.status == .refused {
        _ = try await f.post("/v1/services/payments/drill", #"{"backAfter": "1s"}"#)
      }
      return list.first?.status == .passed
    }
    #expect(drilled)
    let queries = try Self.dashboardQueries()
    #expect(queries.count >= 15)
    var empty: [String] = []
    let answered = try await eventually("every dashboard query returns series", timeout: .seconds(60)) {
      empty = []
      for q in queries where try await Self.series(http, base, q) == 0 { empty.append(q) }
      return empty.isEmpty
    }
    #expect(answered, "queries without series: \(empty)")

    // East dies: it is judged unreachable, and canaries into east stop arriving.
    let topology = try String(contentsOfFile: f.topology, encoding: .utf8)
    let connect = try #require(topology.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression))
    #expect(try await Failoverctl.run(["lab", "fail", "east", "--lab", String(topology[connect])]).status == 0)
    var now: [(name: String, labels: [String: String], firing: Bool)] = []
    let fired = try await eventually("the region-down alerts fire", timeout: .seconds(120)) {
      now = try await Self.alerts(http, base)
      let firing = Set(now.filter(\.firing).map { "\($0.name) \($0.labels["cluster"] ?? $0.labels["flow"] ?? "")" })
      return firing.contains("KafkaFailoverClusterUnreachable east")
        && firing.contains("KafkaFailoverCanaryNotArriving west->east")
    }
    #expect(fired, "\(now)")
    // Quiet: west, the leader, failovers, services (no policy moved them), the other flow's canary.
    let quiet = now.filter {
      ($0.name == "KafkaFailoverClusterUnreachable" && $0.labels["cluster"] == "west")
        || [
          "KafkaFailoverNoLeader", "KafkaFailoverFailoverFailed", "KafkaFailoverServiceNotWritable",
          "KafkaFailoverInstanceDown",
        ].contains($0.name)
    }
    #expect(quiet.isEmpty, "\(quiet)")
    prometheus.process.terminate()
    _ = await f.stop()
  }
}
