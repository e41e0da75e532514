import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Holds N discovery long-polls (or, with `streams`, N event streams resumed at the
/// current epoch) open against a running `failoverctl serve`, then waits for the epoch to
/// change (the script promotes) and reports when each answer (each stream's first event)
/// arrived, relative to a timestamp the script writes just before it sends the promote.
struct LongPollBenchmark {
  let url: String
  let service: String
  let connections: Int
  let epoch: Int
  let streams: Bool
  let readyFile: String
  let promotedFile: String
  /// Clients per source address (127.0.0.1 and up).
  var perAddress = 20_000

  func run() async throws {
    guard let u = URL(string: url), let host = u.host, let port = u.port else {
      print("bad --url \(url)")
      return
    }
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let results = Arrivals(expected: connections)
    let request =
      streams
      ? "GET /v1/services/\(service)/events HTTP/1.1\r\nHost: \(host)\r\nLast-Event-ID: \(epoch)\r\n\r\n"
      : "GET /v1/services/\(service)/discovery?wait=120&epoch=\(epoch) HTTP/1.1\r\nHost: \(host)\r\n\r\n"
    // One loopback address gives a client about 28,000 ports (Linux's ephemeral range):
    // the connections are spread over `sources` addresses, 127.0.0.1 and up.
    let sources = max(1, (connections + perAddress - 1) / perAddress)
    let opened = ContinuousClock.now
    let channels = try await withThrowingTaskGroup(of: Channel.self) { opening in
      var channels: [Channel] = []
      channels.reserveCapacity(connections)
      func open(_ i: Int) {
        opening.addTask {
          var bootstrap = ClientBootstrap(group: group)
          if sources > 1 {
            // The address only: the port is chosen at connect, by the whole four-tuple
            // (IP_BIND_ADDRESS_NO_PORT), not by bind, which wants a port no socket on
            // that address holds, TIME_WAIT ones from an earlier run included.
            bootstrap = bootstrap.channelOption(
              ChannelOptions.Types.SocketOption(level: SocketOptionLevel(IPPROTO_IP), name: 24), value: 1
            )
            .bind(to: try SocketAddress(ipAddress: "127.0.0.\(1 + i % sources)", port: 0))
          }
          let channel =
            try await bootstrap
            .channelInitializer { ch in
              ch.pipeline.addHandler(FirstByteHandler(index: i, arrivals: results, waitsForEvent: streams))
            }
            .connect(host: host, port: port).get()
          var buffer = channel.allocator.buffer(capacity: request.utf8.count)
          buffer.writeString(request)
          try await channel.writeAndFlush(buffer)
          return channel
        }
      }
      // A few hundred connects in flight: well under the server's accept backlog.
      var next = 0
      while next < min(256, connections) {
        open(next)
        next += 1
      }
      while let channel = try await opening.next() {
        channels.append(channel)
        if next < connections {
          open(next)
          next += 1
        }
      }
      return channels
    }
    print(
      String(
        format: "opened %d %@ from %d addresses in %.2f s", connections, streams ? "event streams" : "long-polls",
        sources,
        Double((ContinuousClock.now - opened) / .milliseconds(1)) / 1000))
    _ = FileManager.default.createFile(atPath: readyFile, contents: Data("ready".utf8))
    let deadline = ContinuousClock.now + .seconds(60)
    while results.count < connections && ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(50))
    }
    let promotedAt = (try? String(contentsOfFile: promotedFile, encoding: .utf8)).flatMap {
      Double($0.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let arrivals = results.all.sorted()
    print("answered: \(arrivals.count) of \(connections)")
    if let promotedAt, !arrivals.isEmpty {
      let latencies = arrivals.map { ($0 - promotedAt) * 1000 }
      func pct(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
      print(
        String(
          format: "after the promote: first %.1f ms, p50 %.1f ms, p99 %.1f ms, last %.1f ms", latencies[0], pct(0.5),
          pct(0.99), latencies[latencies.count - 1]))
      for bound in [250.0, 500.0] {
        let within = latencies.filter { $0 <= bound }.count
        print(
          String(
            format: "answered within %.0f ms: %d of %d (%.1f %%)", bound, within, connections,
            100.0 * Double(within) / Double(connections)))
      }
    }
    for c in channels { try? await c.close() }
    try await group.shutdownGracefully()
  }
}

/// Wall-clock arrival time of each long-poll's first response byte.
final class Arrivals: Sendable {
  private let times: NIOLockedValueBox<[Double]>
  init(expected: Int) {
    var t: [Double] = []
    t.reserveCapacity(expected)
    times = NIOLockedValueBox(t)
  }
  func record() { times.withLockedValue { $0.append(Date().timeIntervalSince1970) } }
  var count: Int { times.withLockedValue { $0.count } }
  var all: [Double] { times.withLockedValue { $0 } }
}

/// Records when a long-poll's first byte arrives, or a stream's first event (not its
/// head, its `retry:` or its heartbeats).
final class FirstByteHandler: ChannelInboundHandler, Sendable {
  typealias InboundIn = ByteBuffer
  let index: Int
  let arrivals: Arrivals
  let waitsForEvent: Bool
  private let seen = NIOLockedValueBox(false)

  init(index: Int, arrivals: Arrivals, waitsForEvent: Bool) {
    self.index = index
    self.arrivals = arrivals
    self.waitsForEvent = waitsForEvent
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    if waitsForEvent && !String(buffer: unwrapInboundIn(data)).contains("event: discovery") { return }
    let first = seen.withLockedValue { s in
      defer { s = true }
      return !s
    }
    if first { arrivals.record() }
  }
}
