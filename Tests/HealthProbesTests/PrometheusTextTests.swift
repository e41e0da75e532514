import HealthProbes
import Testing

@Suite("Prometheus text exposition parser")
struct PrometheusTextTests {
  static let page = """
    # HELP kafka_server_replicamanager_underreplicatedpartitions Under-replicated partitions.\\nPer broker.
    # TYPE kafka_server_replicamanager_underreplicatedpartitions gauge
    kafka_server_replicamanager_underreplicatedpartitions{broker="1"} 0
    kafka_server_replicamanager_underreplicatedpartitions{broker="2",} 3 1700000000000
    # a plain comment
    mm2_latency{source="east",target="west",topic="a\\"b\\\\c\\nd"} +Inf
    mm2_latency{source="east",target="west",topic="x"} NaN
    mm2_latency { source = "east" , target="west", topic="y" } -Inf
    up 1e3

    http_requests_total{code="200"} 1027 1395066363000
    """

  @Test func parsesHelpTypeLabelsSpecialValuesAndTimestamps() throws {
    let p = try PrometheusText.parse(Self.page)
    #expect(p.types["kafka_server_replicamanager_underreplicatedpartitions"] == "gauge")
    #expect(
      p.help["kafka_server_replicamanager_underreplicatedpartitions"] == "Under-replicated partitions.\nPer broker.")
    #expect(p.samples.count == 7)
    let urp = p.select("kafka_server_replicamanager_underreplicatedpartitions", labels: ["broker": "2"])
    #expect(urp.first?.value == 3)
    #expect(urp.first?.timestamp == 1_700_000_000_000)
    let escaped = p.select("mm2_latency").first
    #expect(escaped?.labels["topic"] == "a\"b\\c\nd")
    #expect(escaped?.value == .infinity)
    #expect(p.select("mm2_latency", labels: ["topic": "x"]).first?.value.isNaN == true)
    #expect(p.select("mm2_latency", labels: ["topic": "y"]).first?.value == -.infinity)
    #expect(p.select("up").first?.value == 1000)
    #expect(p.select("http_requests_total", labels: ["code": "200"]).first?.timestamp == 1_395_066_363_000)
  }

  @Test(arguments: [
    ("ok 1\nbad{a=\"1\" 2", 2, "expected , or }"),
    ("m{a=\"x} 1", 1, "unterminated value"),
    ("m{a=\"\\q\"} 1", 1, "invalid escape"),
    ("m{a=1} 1", 1, "expected a quoted value"),
    ("m 1 2 3", 1, "unexpected text"),
    ("m one", 1, "is not a number"),
    ("m", 1, "expected a value"),
    ("# TYPE m gaugeish\nm 1", 1, "unknown metric type"),
    ("x 1\n\n{a=\"1\"} 1", 3, "expected a metric name"),
    ("m{a=\"1\",a=\"2\"} 1", 1, "given twice"),
    ("m 1 12.5", 1, "not a timestamp"),
  ])
  func malformedPagesNameTheLine(text: String, line: Int, message: String) {
    do {
      _ = try PrometheusText.parse(text)
      Issue.record("accepted: \(text)")
    } catch {
      #expect(error.line == line)
      #expect(error.message.contains(message), "\(error)")
    }
  }
}
