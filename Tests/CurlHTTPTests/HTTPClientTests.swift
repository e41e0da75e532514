import CurlHTTP
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("CurlHTTP against a loopback server")
struct HTTPClientTests {
  let server: LoopbackHTTPServer
  let client = HTTPClient(maxConcurrentRequests: 8)

  /// Requests the server is answering right now, and the most seen at once.
  let inFlight = InFlight()

  init() throws {
    let inFlight = self.inFlight
    server = try LoopbackHTTPServer { request in
      let parts = request.path.split(separator: "/").map(String.init)
      switch (request.method, parts.first) {
      case ("GET", "status"):
        return .init(status: Int(parts[1]) ?? 500, body: "status \(parts[1])")
      case ("GET", "delay"):
        return .init(body: "late", delay: .milliseconds(Int(parts[1]) ?? 0))
      case ("GET", "slow"):
        inFlight.enter()
        Thread.sleep(forTimeInterval: 0.3)
        inFlight.leave()
        return .init(body: "slow")
      case (_, "echo"):
        let auth = request.headers["authorization"] ?? "-"
        return .init(
          status: 201, headers: ["X-Method": request.method],
          body: "\(request.method) \(auth) \(String(decoding: request.body, as: UTF8.self))")
      default:
        return .init(status: 404, body: "no route")
      }
    }
  }

  /// Handles are kept between requests, so a server that keeps connections open is asked
  /// again on the same one; one that closes them gets a new one each time.
  @Test func connectionsAreKeptOpenWhereTheServerAllows() async throws {
    let keeping = try LoopbackHTTPServer(keepAlive: true) { _ in .init(body: "ok") }
    defer { keeping.stop() }
    let one = HTTPClient(maxConcurrentRequests: 1)
    for _ in 0..<5 {
      let r = try await one.get(keeping.baseURL + "/health")
      #expect(r.status == 200 && String(decoding: r.body, as: UTF8.self) == "ok")
    }
    #expect(keeping.connections == 1)
    for _ in 0..<3 { _ = try await one.get(server.baseURL + "/status/204") }
    #expect(server.connections == 3)
    // A kept connection the server has closed is found closed: the next request connects again.
    keeping.stop()
    let after = try LoopbackHTTPServer(keepAlive: true) { _ in .init(body: "again") }
    defer { after.stop() }
    let r = try await one.get(after.baseURL + "/health")
    #expect(String(decoding: r.body, as: UTF8.self) == "again")
  }

  @Test func statusCodesAndBodies() async throws {
    for code in [200, 204, 404, 503] {
      let r = try await client.get("\(server.baseURL)/status/\(code)")
      #expect(r.status == code)
    }
    let ok = try await client.get("\(server.baseURL)/status/200")
    #expect(ok.text == "status 200")
    #expect(ok.header("content-length") == "10")
  }

  @Test func methodsHeadersAndBodies() async throws {
    let auth = [HTTPHeader("Authorization", "Bearer t0k")]
    let post = try await client.post("\(server.baseURL)/echo", body: Array("{\"a\":1}".utf8), headers: auth)
    #expect(post.status == 201)
    #expect(post.text == "POST Bearer t0k {\"a\":1}")
    #expect(post.header("X-Method") == "POST")
    let big = [UInt8](repeating: UInt8(ascii: "x"), count: 200_000)
    let put = try await client.put("\(server.baseURL)/echo", body: big)
    #expect(put.body.count == "PUT - ".count + big.count)
    let delete = try await client.delete("\(server.baseURL)/echo")
    #expect(delete.text == "DELETE - ")
  }

  @Test func totalTimeoutIsATypedError() async throws {
    do {
      _ = try await client.get("\(server.baseURL)/delay/3000", timeout: .milliseconds(300))
      Issue.record("a 3 s response came back within a 300 ms timeout")
    } catch let error as CurlError {
      #expect(error.kind == .timedOut)
      #expect(error.description.contains("/delay/3000"))
    }
  }

  @Test func refusedConnectionIsATypedError() async throws {
    let closed = try ClosedPort()
    do {
      _ = try await client.get("http://127.0.0.1:\(closed.port)/", timeout: .seconds(2))
      Issue.record("a request to a port nobody listens on succeeded")
    } catch let error as CurlError {
      #expect(error.kind == .connectionRefused, "\(error)")
    }
  }

  @Test func malformedURLIsRejectedBeforeAnyIO() async throws {
    do {
      _ = try await client.send(HTTPRequest(url: "htp://nowhere", timeout: .seconds(1)))
      Issue.record("a malformed URL was accepted")
    } catch let error as CurlError {
      #expect(error.kind == .invalidURL)
    }
  }

  @Test func tlsToAPlainServerIsATLSError() async throws {
    // The loopback server speaks plain HTTP: the TLS handshake must fail, verification
    // settings or not, and say so.
    let url = server.baseURL.replacingOccurrences(of: "http://", with: "https://") + "/status/200"
    for tls in [TLSOptions(), TLSOptions(verifyPeer: false, verifyHost: false)] {
      do {
        _ = try await client.send(HTTPRequest(url: url, timeout: .seconds(5), tls: tls))
        Issue.record("a TLS request to a plain HTTP server succeeded")
      } catch let error as CurlError {
        #expect(error.kind == .tls, "\(error)")
      }
    }
  }

  @Test func manyRequestsRunConcurrentlyWithinTheBound() async throws {
    let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
      for _ in 0..<16 {
        group.addTask { try await client.get("\(server.baseURL)/slow", timeout: .seconds(30)).status }
      }
      return try await group.reduce(into: [Int]()) { $0.append($1) }
    }
    #expect(statuses == Array(repeating: 200, count: 16))
    let seen = inFlight.maximum
    #expect(seen > 1, "requests ran one at a time")
    #expect(seen <= 8, "more requests in flight than the client's bound of 8")
  }
}

extension HTTPClientTests {
  /// Many requests in flight on the client's threads, answers ending out of order: each must
  /// reach the request that asked.
  @Test func everyRequestGetsItsOwnAnswerWhenManyAreInFlight() async throws {
    let echo = try LoopbackHTTPServer(keepAlive: true) { request in
      // Later requests answer sooner: completions come back out of order.
      let n = Int(request.path.split(separator: "/").last ?? "") ?? 0
      return .init(body: request.path, delay: .milliseconds(40 - n))
    }
    defer { echo.stop() }
    let paths = (0..<40).map { "/item/\($0)" }
    let answers = try await withThrowingTaskGroup(of: (String, String).self) { group in
      for path in paths {
        group.addTask {
          (
            path,
            String(decoding: try await client.get("\(echo.baseURL)\(path)", timeout: .seconds(30)).body, as: UTF8.self)
          )
        }
      }
      return try await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 }
    }
    #expect(answers.count == 40)
    #expect(answers.allSatisfy { $0.key == $0.value })
  }
}

/// Counts requests the server is answering at once.
final class InFlight: Sendable {
  private let state = Mutex((now: 0, max: 0))
  func enter() {
    state.withLock {
      $0.now += 1
      $0.max = max($0.max, $0.now)
    }
  }
  func leave() { state.withLock { $0.now -= 1 } }
  var maximum: Int { state.withLock { $0.max } }
}
