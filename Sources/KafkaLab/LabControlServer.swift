import Foundation
import Hummingbird
import KafkaClient
import KafkaConnect
import Logging
import Topology

/// The lab's HTTP endpoint, for a lab running in its own process: a Kafka Connect–style
/// REST API for each flow's mirror (`/connect/{flow}/connectors/{name}/status|pause|resume|stop|offsets`,
/// so the orchestrator's `connect` probe and its replication step work against it) and
/// fault injection (`POST /lab/regions/{name}/fail|recover`), and the traffic's ledger
/// (`GET /lab/traffic`) when the lab runs traffic.
public struct LabControlServer: Sendable {
  public let lab: Lab
  /// Mirrors by flow slug (`east-to-west`).
  public let mirrors: [String: LabMirror]
  public let ledger: TrafficLedger?
  /// The control plane's etcd members, one per region (named after it): a region that
  /// fails takes its member with it (frozen), and brings it back when it recovers.
  public let etcd: EtcdMembers?

  public init(lab: Lab, mirrors: [LabMirror], ledger: TrafficLedger? = nil, etcd: EtcdMembers? = nil) async {
    self.lab = lab
    self.ledger = ledger
    self.etcd = etcd
    var bySlug: [String: LabMirror] = [:]
    for m in mirrors { bySlug[Lab.slug(m.flow)] = m }
    self.mirrors = bySlug
  }

  /// Serves on `host:port` (0: any free port) until the returned task is cancelled;
  /// returns once it accepts connections, with its URL.
  public func start(host: String, port: Int) async throws -> (url: String, task: Task<Void, Error>) {
    let (urls, found) = AsyncStream<String>.makeStream()
    var logger = Logger(label: "lab")
    logger.logLevel = .warning
    let app = Application(
      router: router(), configuration: .init(address: .hostname(host, port: port)),
      onServerRunning: { channel in
        found.yield("http://\(channel.localAddress?.ipAddress ?? host):\(channel.localAddress?.port ?? port)")
        found.finish()
      }, logger: logger)
    let task = Task {
      do {
        try await app.run()
      } catch {
        found.finish()  // a port in use ends the wait below
        throw error
      }
    }
    var iterator = urls.makeAsyncIterator()
    guard let url = await iterator.next() else {
      task.cancel()
      throw MirrorError(.notStarted, "the lab's control endpoint did not start on \(host):\(port)")
    }
    return (url, task)
  }

  public func router() -> Router<BasicRequestContext> {
    let router = Router()
    router.get("/lab/regions") { _, _ in
      try json(lab.regions.map { ["region": $0.name, "state": $0.isDown ? "down" : "up"] })
    }
    router.post("/lab/regions/{name}/{action}") { _, context in
      let name = context.parameters.get("name") ?? ""
      guard let region = lab.region(name) else {
        return try json(
          ["error": "no region \(name); regions: \(lab.regions.map(\.name).joined(separator: ", "))"], .notFound)
      }
      switch context.parameters.get("action") {
      case "fail":
        region.fail()
        if let i = etcd?.members.firstIndex(where: { $0.name == name }) { etcd?.freeze(i) }
      case "recover":
        region.recover()
        if let i = etcd?.members.firstIndex(where: { $0.name == name }) { etcd?.thaw(i) }
      default: return try json(["error": "expected fail or recover"], .notFound)
      }
      return try json(["region": name, "state": region.isDown ? "down" : "up"])
    }
    router.get("/lab/traffic") { _, _ in
      guard let ledger else { return try json(["error": "this lab runs no traffic (lab up --traffic)"], .notFound) }
      return try json(await ledger.totals)
    }
    router.get("/connect/{flow}\(ConnectPath.connectors)") { _, context in
      guard let mirror = mirrors[context.parameters.get("flow") ?? ""] else { return try json([String](), .notFound) }
      return try json(mirror.flow.connectors.all)
    }
    router.get("/connect/{flow}/connectors/{name}/status") { _, context in
      guard let mirror = mirrors[context.parameters.get("flow") ?? ""],
        let name = context.parameters.get("name"), mirror.flow.connectors.all.contains(name)
      else { return try json(ConnectErrorBody(message: "No status found for connector"), .notFound) }
      let worker = "127.0.0.1:lab"
      // The copying is the source connector's; the other two follow its state.
      if await mirror.isStopped {
        // A stopped connector has no tasks (KIP-875).
        return try json(
          ConnectorStatus(
            name: name, connector: .init(state: ConnectorStatus.stopped, workerId: worker), tasks: [],
            type: "source"))
      }
      let state = await mirror.isPaused ? ConnectorStatus.paused : ConnectorStatus.running
      return try json(
        ConnectorStatus(
          name: name, connector: .init(state: state, workerId: worker),
          tasks: [.init(id: 0, state: state, workerId: worker)], type: "source"))
    }
    router.put("/connect/{flow}/connectors/{name}/{verb}") { _, context in
      guard let mirror = mirrors[context.parameters.get("flow") ?? ""],
        let name = context.parameters.get("name"), mirror.flow.connectors.all.contains(name)
      else { return try json(ConnectErrorBody(message: "Connector not found"), .notFound) }
      if context.parameters.get("verb") == "stop" {
        if name == mirror.flow.connectors.source { await mirror.stop() }
        return Response(status: .noContent)
      }
      guard let verb = context.parameters.get("verb").flatMap(ConnectVerb.init(rawValue:)) else {
        return try json(ConnectErrorBody(message: "expected pause, resume or stop"), .notFound)
      }
      // Pausing the source connector stops the copying; the other two follow it.
      if name == mirror.flow.connectors.source {
        switch verb {
        case .pause: await mirror.pause()
        case .resume: await mirror.resume()
        }
      }
      return Response(status: .accepted)
    }
    router.get("/connect/{flow}/connectors/{name}/offsets") { _, context in
      guard let mirror = mirrors[context.parameters.get("flow") ?? ""],
        context.parameters.get("name") == mirror.flow.connectors.source
      else { return try json(ConnectErrorBody(message: "Connector not found"), .notFound) }
      let alias = mirror.flow.sourceAlias
      return try json(
        ConnectorOffsets(
          offsets: await mirror.offsets().sorted { $0.key < $1.key }.map {
            .mirrorSource(cluster: alias, topic: $0.key.topic, partition: $0.key.partition, next: $0.value)
          }))
    }
    router.patch("/connect/{flow}/connectors/{name}/offsets") { request, context in
      guard let mirror = mirrors[context.parameters.get("flow") ?? ""],
        context.parameters.get("name") == mirror.flow.connectors.source
      else { return try json(ConnectErrorBody(message: "Connector not found"), .notFound) }
      let body = try await request.body.collect(upTo: 1 << 20)
      guard let asked = try? JSONDecoder().decode(ConnectorOffsets.self, from: Data(buffer: body)) else {
        return try json(
          ConnectErrorBody(errorCode: 400, message: "expected {\"offsets\": [{\"partition\": ..., \"offset\": ...}]}"),
          .badRequest)
      }
      // As MirrorSourceConnector.alterOffsets checks them: MM2's keys, this flow's source.
      var positions: [TopicPartition: Int64] = [:]
      for o in asked.offsets {
        guard let m = o.mirrorSource, m.cluster == mirror.flow.sourceAlias else {
          return try json(
            ConnectErrorBody(
              errorCode: 400,
              message: "each partition must be {cluster: \(mirror.flow.sourceAlias), topic, partition} and each "
                + "offset {offset: n >= -1}"), .badRequest)
        }
        positions[TopicPartition(m.topic, m.partition)] = m.next
      }
      do {
        try await mirror.alterOffsets(positions)
      } catch {
        return try json(ConnectErrorBody(errorCode: 400, message: "\(error)"), .badRequest)
      }
      return try json(["message": "The offsets for this connector have been altered successfully"])
    }
    return router
  }
}

private func json(_ value: some Encodable, _ status: HTTPResponse.Status = .ok) throws -> Response {
  let data = try JSONEncoder().encode(value)
  return Response(
    status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
