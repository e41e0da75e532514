import CurlHTTP
import Foundation
import Orchestrator
import Synchronization
import TestSupport
import Testing
import Topology
import Yams

@Suite("failoverctl serve: admin API, roles, audit", .serialized)
struct ServeAdminTests {
  @Test func rolesBodiesAndAudit() async throws {
    let f = try await ServeFixture.start()
    #expect(try await f.get("/v1/status").status == 401)
    let wrong = try await f.get("/v1/status", headers: [HTTPHeader("Authorization", "Bearer nope")])
    #expect(wrong.status == 401)
    #expect(wrong.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
    #expect(try await f.get("/v1/status", as: "viewer").status == 200)
    let viewerPromote = try await f.post("/v1/services/orders/promote", #"{"to": "west"}"#, as: "viewer")
    #expect(viewerPromote.status == 403)
    #expect(try await f.post("/v1/services/orders/promote", #"{"to": "west"}"#, as: nil).status == 401)

    // Field-level errors, all at once.
    let invalid = try await f.post(
      "/v1/services/orders/promote", #"{"to": "wets", "mode": "hasty", "dryrun": true}"#)
    #expect(invalid.status == 422)
    let fields = try #require(try json(invalid)["fields"] as? [[String: String]])
    #expect(fields.contains { $0["field"] == "mode" && $0["message"]!.contains("planned, forced") })
    #expect(fields.contains { $0["field"] == "dryrun" && $0["message"]!.contains("did you mean \"dryRun\"") })
    let unknownCluster = try await f.post("/v1/services/orders/promote", #"{"to": "wets"}"#)
    #expect(unknownCluster.status == 422)
    #expect(unknownCluster.text.contains("did you mean \\\"west\\\""))
    #expect(try await f.post("/v1/services/orders/promote", #"{"to": 3}"#).status == 422)
    #expect(try await f.post("/v1/services/orders/promote", "{not json").status == 400)
    #expect(try await f.post("/v1/services/orders/promote", "[]").status == 422)
    let huge = "{\"reason\": \"" + String(repeating: "x", count: 70_000) + "\", \"to\": \"west\"}"
    #expect(try await f.post("/v1/services/orders/promote", huge).status == 413)
    #expect(try await f.post("/v1/services/nope/promote", #"{"to": "west"}"#).status == 404)
    #expect(try await f.post("/v1/services/orders/promote", #"{"to": "east"}"#).status == 409)

    // A dry run changes nothing.
    let dry = try decoded(
      try await f.post("/v1/services/orders/promote", #"{"to": "west", "dryRun": true}"#), as: SwitchOutcome.self)
    #expect(dry.dryRun)
    #expect(dry.toEpoch == 3)
    #expect(try await f.discovery("orders").epoch == 1)

    let one = try await f.switchOver(
      "/v1/services/orders/promote", #"{"to": "west", "mode": "forced"}"#, as: "admin")
    let id = one.id
    #expect(one.status == .succeeded)
    #expect(one.requestedBy == "token:admin-bot")
    let steps = one.steps
    #expect(
      steps.map(\.name.rawValue) == [
        "intent", "fence-source", "wait-leases", "drain", "refresh-checkpoints", "translate-offsets",
        "write-offsets", "switch-discovery", "reconfigure-replication", "verify",
      ])
    #expect(steps.allSatisfy { [.done, .skipped].contains($0.status) })
    #expect(try await f.finished(id).status == .succeeded)
    #expect(try await f.get("/v1/failovers/999", as: "viewer").status == 404)

    // The audit log's wire text (what SQLite, etcd and scripts see), read as JSON on purpose.
    let audit = try json(try await f.get("/v1/audit?limit=100", as: "viewer"))
    let entries = try #require(audit["entries"] as? [[String: Any]])
    let promotes = entries.filter { $0["action"] as? String == "promote" }
    #expect(promotes.first?["actor"] as? String == "token:admin-bot")
    #expect(promotes.first?["outcome"] as? String == "accepted")
    #expect(entries.contains { $0["action"] as? String == "promote.finish" && $0["outcome"] as? String == "ok" })
    #expect(promotes.contains { $0["outcome"] as? String == "dry-run" })
    #expect(
      promotes.contains {
        $0["actor"] as? String == "token:operator-bot" && ($0["outcome"] as? String)?.hasPrefix("rejected") == true
      })
    // Refused before authentication passed: never written as the caller.
    #expect(!promotes.contains { $0["actor"] as? String == "token:viewer-bot" })

    let metrics = try await f.get("/metrics")
    #expect(metrics.status == 200)
    #expect(metrics.text.contains(#"kafka_failover_service_epoch{service="orders"} 3"#))
    #expect(metrics.text.contains(#"kafka_failover_failovers_total{kind="promote",outcome="succeeded"} 1"#))
    #expect(metrics.text.contains(#"route="/v1/services/{name}/promote",method="POST",code="422""#))
    #expect(metrics.text.contains("kafka_failover_cluster_health"))
    #expect(try await f.get("/healthz").status == 200)
    let topology = try await f.get("/v1/topology", as: "viewer")
    #expect(!topology.text.contains("sha256"))
    #expect(!topology.text.contains("secret"))
    _ = await f.stop()
  }

  @Test func everyDocumentedRouteIsServed() async throws {
    let f = try await ServeFixture.start()
    _ = try await f.switchOver("/v1/services/orders/promote", #"{"to": "west"}"#)
    let spec = try String(
      contentsOf: Failoverctl.packageRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
    let doc = try #require(try Yams.load(yaml: spec) as? [String: Any])
    let paths = try #require(doc["paths"] as? [String: Any])
    #expect(paths.count >= 16)
    for (path, item) in paths {
      let concrete = path.replacingOccurrences(of: "{name}", with: "orders").replacingOccurrences(of: "{id}", with: "1")
      for method in (item as? [String: Any] ?? [:]).keys {
        let r: HTTPResponse
        switch method {
        case "get" where concrete.hasSuffix("/events"):
          // A stream never ends: read its first bytes and hang up.
          let seen = Mutex<[UInt8]>([])
          r = try await f.http.stream(
            HTTPRequest(method: .get, url: f.server.url + concrete, headers: f.headers("admin"), timeout: .seconds(2))
          ) { chunk in
            let text = seen.withLock { s in
              s += chunk
              return String(decoding: s, as: UTF8.self)
            }
            return !text.contains("event: discovery")
          }
          #expect(String(decoding: seen.withLock { $0 }, as: UTF8.self).contains("event: discovery"))
          #expect(r.header("Content-Type") == "text/event-stream")
          continue
        case "get": r = try await f.get(concrete, as: "admin")
        case "post":
          let body = concrete.hasPrefix("/v1/failovers/") ? "{}" : #"{"dryRun": true, "to": "east"}"#
          r = try await f.post(concrete, body, as: "admin")
        default:
          Issue.record("unexpected method \(method) for \(path)")
          continue
        }
        // A route the router lacks answers 404 with no body; ours answer with JSON or text
        // (a 404 of ours names what is missing: no recovery 1 has run here).
        #expect(
          (r.status != 404 || r.text.contains(#""error":"not-found""#)) && r.status != 405,
          "\(method.uppercased()) \(path): \(r.status) \(r.text)")
        #expect(!r.body.isEmpty, "\(method.uppercased()) \(path)")
      }
    }
    // A served path asked with a method it does not serve: 405 with Allow; an unknown path: 404.
    let put = try await f.http.send(
      HTTPRequest(method: .put, url: f.server.url + "/v1/status", headers: f.headers("admin"), timeout: .seconds(5)))
    #expect(put.status == 405)
    #expect(put.header("Allow") == "GET")
    #expect(try await f.get("/v1/nothing-here", as: "admin").status == 404)
    #expect(try await f.get("/v1/failovers?service=nope", as: "admin").status == 404)
    _ = await f.stop()
  }

  /// `status --server` and the offline `status --config` print one schema: the same keys
  /// at every level (services, clusters, flows), whatever the values.
  @Test func statusFromTheServerAndFromTheDatabaseHaveTheSameKeys() async throws {
    let f = try await ServeFixture.start()
    // Until a probe has judged every cluster and flow, and the standby-writes watch has
    // reported, some optional keys are absent.
    var last = ""
    #expect(
      try await eventually("every cluster judged, every flow measured, standby writes reported", timeout: .seconds(30))
      {
        let s = try await f.status()
        last = "\(s)"
        // Flows stay unknown here (no probe covers them), but their lag is measured.
        return s.clusters.allSatisfy { $0.state != .unknown } && s.flows.allSatisfy { $0.recordsBehind != nil }
          && !s.standbyWrites.isEmpty
      }, "\(last)")
    let online = try await Failoverctl.run(
      ["status", "--server", f.server.url, "--token", ServeFixture.tokens["viewer"]!, "--output", "json"])
    #expect(online.status == 0, "\(online.stderr)")
    _ = try await Failoverctl.run(["probe", "--config", f.topology, "--db", f.db, "--once"])
    let offline = try await Failoverctl.run(["status", "--config", f.topology, "--db", f.db, "--output", "json"])
    #expect(offline.status == 0, "\(offline.stderr)")
    func keys(_ text: String) throws -> [String: Set<String>] {
      let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
      var out: [String: Set<String>] = ["": Set(json.keys)]
      for (section, value) in json {
        // recordsBehind, since and the ages are optional: compare what every entry has.
        let entries = (value as? [[String: Any]]) ?? []
        out[section] = Set(entries.flatMap(\.keys)).subtracting([
          "recordsBehind", "since", "checkpointAgeSeconds", "heartbeatAgeSeconds",
        ])
      }
      return out
    }
    // Offline nothing runs in the background: those sections are there, empty.
    var onlineKeys = try keys(online.stdout)
    let background = onlineKeys.removeValue(forKey: "background")
    let standby = onlineKeys.removeValue(forKey: "standbyWrites")
    #expect(onlineKeys.removeValue(forKey: "conflicts") == [])
    #expect(onlineKeys.removeValue(forKey: "divergence") == [])
    var offlineKeys = try keys(offline.stdout)
    #expect(offlineKeys.removeValue(forKey: "background") == [])
    #expect(offlineKeys.removeValue(forKey: "standbyWrites") == [])
    #expect(offlineKeys.removeValue(forKey: "conflicts") == [])
    #expect(offlineKeys.removeValue(forKey: "divergence") == [])
    #expect(onlineKeys == offlineKeys)
    #expect(
      onlineKeys[""] == [
        "services", "clusters", "flows", "background", "standbyWrites", "conflicts", "divergence", "canaries",
      ])
    #expect(standby == ["service", "cluster", "state", "records", "partitions", "watchedSince", "checkedAt"])
    #expect(background == ["service", "state", "restarts"])  // and since, left out above
    _ = await f.stop()
  }

  @Test func cliGoesThroughTheAPIWithDocumentedExitCodes() async throws {
    let f = try await ServeFixture.start()
    let common = ["--server", f.server.url, "--token", ServeFixture.tokens["operator"]!]
    let status = try await Failoverctl.run(["status"] + common)
    #expect(status.status == 0, "\(status.stderr)")
    #expect(status.stdout.contains("orders"))
    #expect(status.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })

    let noYes = try await Failoverctl.run(["promote", "orders", "--to", "west"] + common)
    #expect(noYes.status == 64)
    #expect(noYes.stderr.contains("--yes"))
    let dry = try await Failoverctl.run(["promote", "orders", "--to", "west", "--dry-run"] + common)
    #expect(dry.status == 0)
    #expect(dry.stdout.contains("would promote east -> west, epoch 1 -> 3"))
    let done = try await Failoverctl.run(["promote", "orders", "--to", "west", "--yes", "--reason", "drill"] + common)
    #expect(done.status == 0, "\(done.stderr)")
    #expect(done.stdout.contains("promote accepted: east -> west, epoch 1 -> 3"))
    #expect(done.stdout.contains("✓ switch-discovery (done"))
    #expect(done.stdout.contains("succeeded"))
    #expect(try await Failoverctl.run(["promote", "orders", "--to", "west", "--yes"] + common).status == 75)
    let unknown = try await Failoverctl.run(["promote", "orders", "--to", "nowhere", "--yes"] + common)
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("unknown cluster \"nowhere\""))
    let viewer = ["--server", f.server.url, "--token", ServeFixture.tokens["viewer"]!]
    #expect(try await Failoverctl.run(["demote", "orders", "--yes"] + viewer).status == 77)
    #expect(try await Failoverctl.run(["demote", "orders", "--yes", "--server", f.server.url]).status == 77)

    let history = try await Failoverctl.run(["history", "orders", "--output", "json"] + viewer)
    #expect(history.status == 0)
    let list = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any]
    #expect((list?["failovers"] as? [[String: Any]])?.first?["reason"] as? String == "drill")
    let audit = try await Failoverctl.run(["audit"] + viewer)
    #expect(audit.stdout.contains("token:operator-bot"))
    _ = await f.stop()
    let gone = try await Failoverctl.run(["status"] + common)
    #expect(gone.status == 69)
  }

  @Test func serveRefusesAnInvalidTopologyOrAnUntrustedDatabase() async throws {
    let dir = try Failoverctl.temporaryDirectory()
    let bad = dir.appendingPathComponent("bad.yaml").path
    try "version: 1\nregions: [{name: a}]\nclusters: [{name: c, region: b, bootstrapServers: x:1}]\n".write(
      toFile: bad, atomically: true, encoding: .utf8)
    let r = try await Failoverctl.run(["serve", "--config", bad, "--db", dir.appendingPathComponent("s.db").path])
    #expect(r.status == 1)
    #expect(r.stderr.contains("bad.yaml:3"))
    #expect(r.stderr.contains("unknown region"))

    let good = dir.appendingPathComponent("good.yaml").path
    try "version: 1\nregions: [{name: a}]\nclusters: [{name: c, region: a, bootstrapServers: \"127.0.0.1:1\"}]\n"
      .write(toFile: good, atomically: true, encoding: .utf8)
    let junk = dir.appendingPathComponent("junk.db").path
    try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: junk))
    let corrupt = try await Failoverctl.run(["serve", "--config", good, "--db", junk])
    #expect(corrupt.status == 74)
    #expect(corrupt.stderr.contains("junk.db"))
    #expect(try Data(contentsOf: URL(fileURLWithPath: junk)) == Data(repeating: 0x41, count: 8192))
    let listen = try await Failoverctl.run(["serve", "--config", good, "--listen", "localhost"])
    #expect(listen.status == 64)
  }
}
