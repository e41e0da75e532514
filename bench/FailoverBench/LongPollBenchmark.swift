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
    var channels: [Channel] = []
    let opened = ContinuousClock.now
    for i in 0..<connections {
      let channel = try await ClientBootstrap(group: group)
        .channelInitializer { ch in
          ch.pipeline.addHandler(FirstByteHandler(index: i, arrivals: results, waitsForEvent: streams))
        }
        .connect(host: host, port: port).get()
      var buffer = channel.allocator.buffer(capacity: request.utf8.count)
      buffer.writeString(request)
      try await channel.writeAndFlush(buffer)
      channels.append(channel)
    }
    print(
      String(
        format: "opened %d %@ in %.2f s", connections, streams ? "event streams" : "long-polls",
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
      let within = latencies.filter { $0 <= 250 }.count
      print(
        String(
          format: "answered within 250 ms: %d of %d (%.1f %%)", within, connections,
          100.0 * Double(within) / Double(connections)))
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
