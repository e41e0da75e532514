import ControlService
import CurlHTTP
import Foundation
import KafkaClient
import KafkaLab
import Logging
import MM2
import Orchestrator
import Topology

/// From a region going down to the discovery epoch changing, under the shipped
/// `policies/active-passive.yaml`: simulated regions and the control service run in this
/// process; a long-poll on discovery sees the change. Prints each run and the bound.
struct DetectionToEpochBenchmark {
  let runs: Int
  let intervalMilliseconds: Int

  func run() async throws {
    let policyFile = URL(fileURLWithPath: "policies/active-passive.yaml")
    guard FileManager.default.fileExists(atPath: policyFile.path) else {
      print("run from the repository root: policies/active-passive.yaml not found")
      return
    }
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    var samples: [Double] = []
    let interval = Double(intervalMilliseconds) / 1000
    for i in 1...runs {
      let lab = try Lab(regions: ["east", "west"], brokersPerRegion: 1)
      let dir = temporaryDirectory()
      try FileManager.default.createDirectory(
        at: dir.appendingPathComponent("policies"), withIntermediateDirectories: true)
      try FileManager.default.copyItem(at: policyFile, to: dir.appendingPathComponent("policies/active-passive.yaml"))
      let topologyFile = dir.appendingPathComponent("lab.yaml").path
      try
        (lab.topologyYAML + "\nprobes:\n  interval: \(intervalMilliseconds)ms\n  timeout: \(intervalMilliseconds)ms\n")
        .write(toFile: topologyFile, atomically: true, encoding: .utf8)
      let server = try await ControlServer.prepare(
        config: topologyFile, db: dir.appendingPathComponent("s.db").path, host: "127.0.0.1", port: 0,
        logger: logger)
      let (urls, continuation) = AsyncStream<String>.makeStream()
      let running = Task { try await server.run { continuation.yield($0) } }
      var iterator = urls.makeAsyncIterator()
      guard let url = await iterator.next() else { return }
      // MM2 state showing the standby caught up (the policy's RPO budget needs a known lag)
      // and a fresh checkpoint (its checkpoint-age guard).
      let topology = lab.topology
      let flow = topology.flow(from: "east", to: "west")!
      let east = try topology.cluster("east")!.makeClient()
      let west = try topology.cluster("west")!.makeClient()
      _ = try await east.produce(
        (0..<10).map { ProducerRecord(topic: "orders", partition: 0, value: Array("o\($0)".utf8)) })
      let sync = OffsetSync(topic: "orders", partition: 0, upstreamOffset: 9, downstreamOffset: 9)
      _ = try await east.produce([
        ProducerRecord(topic: flow.offsetSyncsTopic, partition: 0, key: sync.key, value: sync.value)
      ])
      let cp = Checkpoint(
        group: "orders-processor", topic: "orders", partition: 0, upstreamOffset: 10, downstreamOffset: 10)
      _ = try await west.produce([
        ProducerRecord(topic: flow.checkpointsTopic, partition: 0, key: cp.key, value: cp.value)
      ])
      let http = HTTPClient(maxConcurrentRequests: 2)
      // Let every probe report (the service is ready) before the failure.
      while try await http.get(url + "/readyz").status != 200 { try await Task.sleep(for: .milliseconds(100)) }
      try await Task.sleep(for: .seconds(3 * interval + 1))
      async let changed = http.get(
        url + "/v1/services/orders/discovery?wait=60&epoch=1", timeout: .seconds(70))
      try await Task.sleep(for: .milliseconds(200))
      let failed = ContinuousClock.now
      lab.region("east")!.fail()
      let response = try await changed
      let took = seconds(ContinuousClock.now - failed)
      samples.append(took)
      let epoch = (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["epoch"] ?? "?"
      print(String(format: "run %d: epoch %@ after %.2f s", i, "\(epoch)", took))
      running.cancel()
      _ = try? await running.value
    }
    let bound = 3 * interval + 1
    let sorted = samples.sorted()
    print(
      String(
        format: "region down -> discovery epoch change, %d runs, probe interval %.1f s: median %.2f s, max %.2f s; "
          + "bound 3 x interval + 1 s = %.1f s -> %@",
        runs, interval, sorted[sorted.count / 2], sorted.last ?? 0, bound,
        (sorted.last ?? 99) < bound ? "met" : "NOT met"))
  }
}
