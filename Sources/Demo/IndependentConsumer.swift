import Foundation
import KafkaClient

/// The demo's second reader: the Python recipe's consumer (confluent-kafka, with its own
/// librdkafka; examples/clients/python/ledger_consumer.py) following each service's
/// discovery document with a consumer group of its own, counting every record it reads.
/// Nothing in it is this project's Kafka code, so what it reads is checked against the
/// producers' acknowledgements by a client that did not grow up with the orchestrator.
struct IndependentConsumer {
  let process: Process
  let stopFile: URL
  let outFile: URL

  struct Summary: Decodable {
    let client: String
    let reads: [String: Int]
  }

  /// `.venv-clients/bin/python` and the script, from the working directory or above the
  /// executable (a checkout where `make deps` ran); nil when there is none.
  static func locate() -> (python: URL, script: URL)? {
    guard let found = CheckoutFiles.locate([".venv-clients/bin/python", "examples/clients/python/ledger_consumer.py"]),
      FileManager.default.isExecutableFile(atPath: found[0].path)
    else { return nil }
    return (found[0], found[1])
  }

  /// Starts it against `server` with a group per service (`service=group`).
  static func start(python: URL, script: URL, server: String, groups: [(service: String, group: String)], in dir: URL)
    throws -> IndependentConsumer
  {
    let p = Process()
    p.executableURL = python
    let stop = dir.appendingPathComponent("independent.stop")
    let out = dir.appendingPathComponent("independent.json")
    p.arguments =
      [script.path, server] + groups.map { "\($0.service)=\($0.group)" } + ["--stop", stop.path, "--out", out.path]
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try ChildProcess.run(p)
    return IndependentConsumer(process: p, stopFile: stop, outFile: out)
  }

  /// Waits until it has read every one of `acknowledged` (or `limit` passed: what it has not
  /// read then is what it lost), stops it, and reads its last summary.
  func finish(acknowledged: Set<String>, within limit: Duration = .seconds(60)) async throws -> Summary {
    let until = ContinuousClock.now + limit
    while ContinuousClock.now < until, process.isRunning {
      if let data = FileManager.default.contents(atPath: outFile.path),
        let s = try? JSONDecoder().decode(Summary.self, from: data), acknowledged.allSatisfy({ s.reads[$0] != nil })
      {
        break
      }
      try await Task.sleep(for: .milliseconds(500))
    }
    _ = FileManager.default.createFile(atPath: stopFile.path, contents: Data())
    let deadline = ContinuousClock.now + .seconds(30)
    while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
    if process.isRunning { process.terminate() }
    guard let data = FileManager.default.contents(atPath: outFile.path) else {
      throw DemoError(
        "the independent consumer wrote no summary (exit \(process.isRunning ? -1 : process.terminationStatus))")
    }
    return try JSONDecoder().decode(Summary.self, from: data)
  }
}
