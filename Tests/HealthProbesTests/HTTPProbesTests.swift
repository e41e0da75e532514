import CurlHTTP
import Foundation
import HealthProbes
import KafkaConnect
import TestSupport
import Testing

@Suite("HTTP, Kafka Connect and Prometheus probes against a loopback server")
struct HTTPProbesTests {
  let server: LoopbackHTTPServer
  let client = HTTPClient(maxConcurrentRequests: 4)

  static let running = """
    {"name":"east->west.MirrorSourceConnector","connector":{"state":"RUNNING","worker_id":"10.0.0.1:8083"},
     "tasks":[{"id":0,"state":"RUNNING","worker_id":"10.0.0.1:8083"},{"id":1,"state":"RUNNING","worker_id":"10.0.0.2:8083"}],
     "type":"source"}
    """
  static let failedTask = """
    {"name":"east->west.MirrorCheckpointConnector","connector":{"state":"RUNNING","worker_id":"10.0.0.1:8083"},
     "tasks":[{"id":0,"state":"FAILED","worker_id":"10.0.0.1:8083",
       "trace":"org.apache.kafka.common.errors.TimeoutException: Timeout expired while fetching topic metadata\\n\\tat org.apache.kafka..."}],
     "type":"source"}
    """
  static let metrics = """
    # TYPE kafka_connect_mirror_source_connector_replication_latency_ms_max gauge
    kafka_connect_mirror_source_connector_replication_latency_ms_max{partition="0",source="east",target="west",topic="orders"} 120
    kafka_connect_mirror_source_connector_replication_latency_ms_max{partition="1",source="east",target="west",topic="orders"} 45000
    """

  init() throws {
    server = try LoopbackHTTPServer { request in
      switch request.path {
      case "/connectors/east-%3Ewest.MirrorSourceConnector/status": .init(body: Self.running)
      case "/connectors/east-%3Ewest.MirrorCheckpointConnector/status": .init(body: Self.failedTask)
      case "/healthy": .init(body: "status: UP")
      case "/metrics": .init(body: Self.metrics)
      case "/broken-metrics": .init(body: "ok 1\nbroken{a=\"1\" 2\n")
      case "/slow": .init(body: "late", delay: .seconds(3))
      default: .init(status: 404, body: "{\"error_code\":404,\"message\":\"No status found\"}")
      }
    }
  }

  @Test func connectRunningFailedAndMissing() async {
    let ok = await ConnectProbe(
      subject: "east->west", baseURL: server.baseURL, connectors: ["east->west.MirrorSourceConnector"],
      connect: ConnectREST(http: client)
    ).run()
    #expect(ok.state == .healthy, "\(ok.reasons)")
    let failed = await ConnectProbe(
      subject: "east->west", baseURL: server.baseURL,
      connectors: ["east->west.MirrorSourceConnector", "east->west.MirrorCheckpointConnector", "gone"],
      connect: ConnectREST(http: client)
    ).run()
    #expect(failed.state == .degraded)
    #expect(
      failed.reasons.contains(
        "connector east->west.MirrorCheckpointConnector task 0 is FAILED: org.apache.kafka.common.errors.TimeoutException: Timeout expired while fetching topic metadata"
      ))
    #expect(failed.reasons.contains("connector gone does not exist"))
    let closed = try! ClosedPort()
    let down = await ConnectProbe(
      subject: "east->west", baseURL: "http://127.0.0.1:\(closed.port)", connectors: ["x"],
      connect: ConnectREST(http: client)
    ).run()
    #expect(down.state == .unreachable)
  }

  @Test func httpStatusBodyAndTimeout() async {
    #expect(
      await HTTPProbe(subject: "east", url: "\(server.baseURL)/healthy", bodyContains: "UP", client: client).run().state
        == .healthy)
    let wrongBody = await HTTPProbe(
      subject: "east", url: "\(server.baseURL)/healthy", bodyContains: "DOWN", client: client
    ).run()
    #expect(wrongBody.state == .degraded)
    #expect(await HTTPProbe(subject: "east", url: "\(server.baseURL)/nope", client: client).run().state == .degraded)
    let slow = await HTTPProbe(
      subject: "east", url: "\(server.baseURL)/slow", timeout: .milliseconds(300), client: client
    ).run()
    #expect(slow.state == .unreachable)
  }

  @Test func prometheusThresholdSelectionAndMalformedPages() async {
    let lag = PrometheusProbe(
      subject: "east->west", url: "\(server.baseURL)/metrics",
      metric: "kafka_connect_mirror_source_connector_replication_latency_ms_max", labels: ["topic": "orders"],
      alertWhen: .greaterThan, threshold: 30_000, client: client)
    let r = await lag.run()
    #expect(r.state == .degraded)
    #expect(r.reasons.count == 1)
    #expect(r.reasons.first?.contains("partition=\"1\"") == true)
    let one = PrometheusProbe(
      subject: "east->west", url: "\(server.baseURL)/metrics",
      metric: "kafka_connect_mirror_source_connector_replication_latency_ms_max", labels: ["partition": "0"],
      alertWhen: .greaterThan, threshold: 30_000, client: client)
    #expect(await one.run().state == .healthy)
    let missing = PrometheusProbe(
      subject: "x", url: "\(server.baseURL)/metrics", metric: "nope", alertWhen: .greaterThan, threshold: 0,
      client: client)
    #expect(await missing.run().reasons.first?.contains("not found") == true)
    let broken = PrometheusProbe(
      subject: "x", url: "\(server.baseURL)/broken-metrics", metric: "ok", alertWhen: .greaterThan, threshold: 5,
      client: client)
    let b = await broken.run()
    #expect(b.state == .degraded)
    #expect(b.reasons.first?.contains("line 2") == true)
  }
}
