import Foundation
import TestSupport
import Testing

/// The server's bounds under load: long-polls and streams per client address, the size of
/// a request head, open connections. Beyond each, a quick answer instead of growth.
@Suite("failoverctl serve: limits under load", .serialized)
struct ServeLimitsTests {
  @Test func waitsPerClientHeadSizeAndConnectionsAreBounded() async throws {
    let f = try await ServeFixture.start(
      apiSettings: "  maxWaitsPerClient: 3\n  maxHeaderBytes: 2048\n  maxConnections: 8\n")
    let port = try #require(URL(string: f.server.url)?.port)
    let poll = "/v1/services/orders/discovery?wait=30&epoch=1"

    // Three long-polls from 127.0.0.1 are held; the fourth is refused at once.
    let held = try (0..<3).map { _ in try RawHTTPConnection(port: port) }
    for c in held { c.get(poll) }
    #expect(held[0].read(within: .milliseconds(500)).isEmpty)
    let fourth = try RawHTTPConnection(port: port)
    fourth.get(poll)
    let refused = fourth.read(within: .seconds(5))
    #expect(refused.hasPrefix("HTTP/1.1 429 Too Many Requests"), "\(refused)")
    #expect(refused.contains("127.0.0.1 already holds 3 long-polls and event streams (api.maxWaitsPerClient)"))
    #expect(refused.contains("Retry-After: 1"))
    // The same address is still served without waiting, and another address may wait.
    #expect(try await f.get("/v1/services/orders/discovery").status == 200)
    let other = try RawHTTPConnection(port: port, from: "127.0.0.2")
    other.get(poll)
    #expect(other.read(within: .milliseconds(500)).isEmpty)
    let metrics = try await f.get("/metrics").text
    #expect(metrics.contains("kafka_failover_discovery_long_polls_waiting 4"), "\(metrics.count)")
    #expect(metrics.contains(#"route="/v1/services/{name}/discovery",method="GET",code="429"} 1"#))

    // A head larger than api.maxHeaderBytes: 431, and the connection closes.
    let big = try RawHTTPConnection(port: port, from: "127.0.0.3")
    big.get("/v1/services/orders/discovery", headers: "X-Big: \(String(repeating: "x", count: 4096))\r\n")
    #expect(big.read(within: .seconds(5)).hasPrefix("HTTP/1.1 431 Request Header Fields Too Large"))

    // Connections: 3 + 1 + 1 held (the refused and the too-large ones closed); fill to 8.
    let idle = try (0..<3).map { _ in try RawHTTPConnection(port: port, from: "127.0.0.4") }
    try await Task.sleep(for: .milliseconds(300))
    let oneTooMany = try RawHTTPConnection(port: port, from: "127.0.0.4")
    let answer = oneTooMany.read(within: .seconds(5))
    #expect(answer.hasPrefix("HTTP/1.1 503 Service Unavailable"), "\(answer)")
    #expect(answer.contains("api.maxConnections"))

    // A freed place is free again: one long-poll's client goes away (its connection and its
    // wait are given back), and a new long-poll from 127.0.0.1 is held.
    held[0].hangUp()
    try await Task.sleep(for: .milliseconds(300))
    let again = try RawHTTPConnection(port: port)
    again.get(poll)
    #expect(again.read(within: .milliseconds(500)).isEmpty)
    idle[0].hangUp()  // the server is at its 8 connections: one more for the next question
    try await Task.sleep(for: .milliseconds(300))
    #expect(try await f.get("/metrics").text.contains("kafka_failover_discovery_long_polls_waiting 4"))
    withExtendedLifetime((idle, held, other)) {}
    _ = await f.stop()
  }
}
