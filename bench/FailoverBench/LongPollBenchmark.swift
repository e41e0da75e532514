import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Holds N discovery long-polls open against a running `failoverctl serve`, then waits
/// for the epoch to change (the script promotes) and reports when each answer arrived,
/// relative to a timestamp the script writes just before it sends the promote.
struct LongPollBenchmark {
  let url: String
  let service: String
  let connections: Int
  let epoch: Int
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
      "GET /v1/services/\(service)/discovery?wait=120&epoch=\(epoch) HTTP/1.1\r\nHost: \(host)\r\n\r\n"
    var channels: [Channel] = []
    let opened = ContinuousClock.now
    for i in 0..<connections {
      let channel = try await ClientBootstrap(group: group)
        .channelInitializer { ch in ch.pipeline.addHandler(FirstByteHandler(index: i, arrivals: results)) }
        .connect(host: host, port: port).get()
      var buffer = channel.allocator.buffer(capacity: request.utf8.count)
      buffer.writeString(request)
      try await channel.writeAndFlush(buffer)
      channels.append(channel)
    }
    print(
      String(
        format: "opened %d long-polls in %.2f s", connections,
        Double((ContinuousClock.now - opened) / .milliseconds(1)) / 1000))
    FileManager.default.createFile(atPath: readyFile, contents: Data("ready".utf8))
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
      let within = latencies.filter { $0 <= 200 }.count
      print(
        String(
          format: "answered within 200 ms: %d of %d (%.1f %%)", within, connections,
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

final class FirstByteHandler: ChannelInboundHandler, Sendable {
  typealias InboundIn = ByteBuffer
  let index: Int
  let arrivals: Arrivals
  private let seen = NIOLockedValueBox(false)

  init(index: Int, arrivals: Arrivals) {
    self.index = index
    self.arrivals = arrivals
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let first = seen.withLockedValue { s in
      defer { s = true }
      return !s
    }
    if first { arrivals.record() }
  }
}
