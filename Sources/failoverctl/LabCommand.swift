import ArgumentParser
import CurlHTTP
import Foundation
import KafkaLab
import Orchestrator
import Topology

struct LabCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lab", abstract: "Simulated Kafka regions on this machine, for trying failoverctl by hand.",
    subcommands: [Up.self, Fail.self, Recover.self])

  struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Start simulated regions, write a topology pointing at them, run until interrupted.")

    @Option(help: "Comma-separated region names; the first is every service's primary.")
    var regions: String = "east,west"
    @Option(help: "Brokers per region (mock regions).") var brokers: Int = 3
    @Option(
      help: """
        The regions' Kafka: mock (librdkafka's mock clusters, in process) or tansu (a Tansu 0.6 broker process per \
        region, a broker this project did not write; make deps installs it). See docs/testing.md.
        """)
    var broker: SimulatedRegion.Broker = .mock
    @Option(help: "With --broker tansu: the tansu binary (default: FAILOVERCTL_TANSU, PATH, then .venv-clients).")
    var tansu: String?
    @Option(name: .customLong("topology-out"), help: "Where to write the generated topology file.")
    var topologyOut: String = "lab-topology.yaml"
    @Flag(help: "Replicate every flow MM2-style (topics, offset-syncs, checkpoints, heartbeats; Connect-style API).")
    var mirror = false
    @Flag(help: "With --mirror: a replication canary on every flow (canary: in the topology; docs/configuration.md).")
    var canary = false
    @Flag(
      name: .customLong("active-active"),
      help: """
        Active-active services: every region writes to its own cluster, flows both ways between every pair, a home \
        and consumer groups per region, and the active-active-standalone policy (docs/active-active.md).
        """)
    var activeActive = false
    @Option(help: "The lab's control endpoint, HOST:PORT (port 0: any free port).")
    var control: String = "127.0.0.1:8099"
    @Flag(
      help: """
        Run a producer and a consumer group per service that follow the discovery endpoint of the control \
        service at --server (start it with failoverctl serve); the ledger is at the control endpoint's /lab/traffic.
        """)
    var traffic = false
    @Option(help: "With --traffic: the control service whose discovery the traffic follows.")
    var server: String = "http://127.0.0.1:8080"
    @Option(help: "With --traffic: records per second per service.") var rate: Int = 100
    @Option(
      name: .customLong("control-plane"),
      help: """
        Start this many etcd members (named after the regions, loopback ports, data on tmpfs) and write a \
        controlPlane: section (lease TTL 5 s) for several orchestrators (docs/high-availability.md).
        """)
    var controlPlane: Int = 0

    func validate() throws {
      let names = regions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      guard names.count >= 2, Set(names).count == names.count, names.allSatisfy({ !$0.isEmpty }) else {
        throw ValidationError("--regions needs at least two distinct names, e.g. east,west")
      }
      guard (1...9).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 9") }
      guard (1...50_000).contains(rate) else { throw ValidationError("--rate must be between 1 and 50000") }
      guard server.hasPrefix("http://") || server.hasPrefix("https://") else {
        throw ValidationError("--server must be an http:// or https:// URL, e.g. http://127.0.0.1:8080")
      }
      _ = try ListenAddress(control)
    }

    func run() async throws {
      let names = regions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      let lab: Lab
      do {
        lab = try await Lab.start(
          regions: names, broker: broker, tansu: tansu, brokersPerRegion: brokers, activeActive: activeActive)
      } catch let e as TansuError {
        printError("\(e)")
        throw Exit.unavailable
      }
      defer { lab.stop() }
      let address = try ListenAddress(control)
      var mirrors: [LabMirror] = []
      if mirror {
        let t = lab.topology
        for flow in t.flows {
          mirrors.append(
            try LabMirror(
              flow: flow, topology: t, topics: lab.services.flatMap(\.topics) + [FlowCanary.defaultTopic],
              groups: lab.allGroups,
              sourceIsUp: { lab.region(flow.source)?.isDown == false }))
        }
      }
      let ledger = TrafficLedger()
      var etcd: EtcdMembers? = nil
      if controlPlane > 0 {
        do {
          let memberNames = (0..<controlPlane).map { $0 < names.count ? names[$0] : "member-\($0)" }
          etcd = try await EtcdMembers(count: controlPlane, names: memberNames)
        } catch {
          printError("cannot start etcd: \(error)")
          throw Exit.unavailable
        }
      }
      defer { etcd?.stop() }
      let control = await LabControlServer(lab: lab, mirrors: mirrors, ledger: traffic ? ledger : nil, etcd: etcd)
      let controlURL: String
      let serving: Task<Void, Error>
      do {
        (controlURL, serving) = try await control.start(host: address.host, port: address.port)
      } catch {
        printError("\(error) (is another lab running? pass --control 127.0.0.1:0)")
        throw Exit.unavailable
      }
      let replicating = mirrors.map { m in Task { await m.run() } }
      defer {
        for r in replicating { r.cancel() }
        serving.cancel()
      }
      let yaml = lab.topologyYAML(
        connectBase: mirror ? controlURL : nil,
        controlPlane: etcd.map { ControlPlaneSettings(endpoints: $0.endpoints, leaseTTL: .seconds(5)) },
        canary: canary && mirror ? FlowCanary() : nil)
      // The file must be one the server accepts; a lab that writes a bad one is a bug.
      _ = try TopologyLoader.parse(yaml: yaml, file: topologyOut)
      do {
        try yaml.write(toFile: topologyOut, atomically: true, encoding: .utf8)
      } catch {
        printError("cannot write \(topologyOut): \(error.localizedDescription)")
        throw Exit.cannotCreate
      }
      for region in lab.regions {
        say(
          "region \(region.name): \(region.brokerCount) \(region.broker == .tansu ? "Tansu broker" : "brokers") at "
            + region.bootstrapServers)
      }
      say("topology written to \(topologyOut)")
      say("lab control: \(controlURL) (failoverctl lab fail|recover REGION --lab \(controlURL))")
      if mirror { say("mirrors: \(lab.topology.flows.map(\.name).joined(separator: ", ")) (MM2 topics and formats)") }
      if let etcd {
        say(
          "control plane: etcd members \(zip(etcd.members.map(\.name), etcd.endpoints).map { "\($0) \($1)" }.joined(separator: ", ")) "
            + "(serve --instance NAME --region REGION --advertise URL)")
      }
      let base = URLJoin.trimmed(server)
      var clients: [LabTraffic] = []
      if traffic {
        for s in lab.services {
          if activeActive {
            // Each region's clients, with their own group, following their region's document.
            for region in lab.regions {
              clients.append(
                LabTraffic(
                  service: s.name, region: region.name, group: Lab.groups(of: s, in: region.name)[0],
                  servers: [base], recordsPerSecond: rate, ledger: ledger))
            }
          } else {
            clients.append(
              LabTraffic(service: s.name, group: s.groups[0], servers: [base], recordsPerSecond: rate, ledger: ledger))
          }
        }
      }
      let running = clients.map { t in Task { await t.run() } }
      let reporting = Task { if traffic { await reportTraffic(ledger) } }
      defer {
        reporting.cancel()
        for r in running { r.cancel() }
      }
      if traffic {
        say(
          "traffic: \(rate) records/s per service\(activeActive ? " and region" : ""), following \(base)/v1/services/NAME/discovery"
            + (activeActive ? "?region=REGION " : " ")
            + "(it waits for the control service; ledger at \(controlURL)/lab/traffic)")
      }
      say("lab running; press Ctrl-C to stop")
      let sig = await waitForTerminationSignal()
      say("received \(sig == SIGINT ? "SIGINT" : "SIGTERM"), stopping the lab")
    }
  }

  struct Fail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Take every broker of a region of a running lab down.")
    @Argument(help: "The region.") var region: String
    @Option(help: "The lab's control endpoint (lab up prints it).") var lab: String = "http://127.0.0.1:8099"

    func run() async throws { try await regionAction(lab, region, "fail") }
  }

  struct Recover: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring a failed region of a running lab back.")
    @Argument(help: "The region.") var region: String
    @Option(help: "The lab's control endpoint (lab up prints it).") var lab: String = "http://127.0.0.1:8099"

    func run() async throws { try await regionAction(lab, region, "recover") }
  }
}

private func regionAction(_ lab: String, _ region: String, _ action: String) async throws {
  let base = URLJoin.trimmed(lab)
  let http = HTTPClient(maxConcurrentRequests: 1)
  let response: HTTPResponse
  do {
    response = try await http.post("\(base)/lab/regions/\(pathComponent(region))/\(action)", body: [])
  } catch {
    printError("cannot reach the lab at \(lab): \(error)")
    throw Exit.unavailable
  }
  guard response.status == 200 else {
    printError(response.text)
    throw Exit.invalid
  }
  print("\(region): \(action == "fail" ? "down" : "up")")
}

/// A line every five seconds while the traffic moves: what the ledger holds so far.
private func reportTraffic(_ ledger: TrafficLedger) async {
  var last = await ledger.totals
  while !Task.isCancelled {
    try? await Task.sleep(for: .seconds(5))
    let t = await ledger.totals
    guard t != last else { continue }
    last = t
    say(
      "traffic: produced \(t.produced), acknowledged \(t.acknowledged), consumed \(t.consumed), "
        + "re-delivered \(t.redelivered), not (yet) consumed \(t.lost)")
  }
}

/// Unbuffered, so that a script reading a background lab's output sees each line at once.
private func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

extension SimulatedRegion.Broker: ExpressibleByArgument {}
