import ArgumentParser
import Foundation
import KafkaLab
import Orchestrator

struct LabCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lab", abstract: "Simulated Kafka regions on this machine, for trying failoverctl by hand.",
    subcommands: [Up.self])

  struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Start simulated regions, write a topology pointing at them, run until interrupted.")

    @Option(help: "Comma-separated region names; the first is every service's primary.")
    var regions: String = "east,west"
    @Option(help: "Brokers per region.") var brokers: Int = 3
    @Option(name: .customLong("topology-out"), help: "Where to write the generated topology file.")
    var topologyOut: String = "lab-topology.yaml"

    func validate() throws {
      let names = regions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      guard names.count >= 2, Set(names).count == names.count, names.allSatisfy({ !$0.isEmpty }) else {
        throw ValidationError("--regions needs at least two distinct names, e.g. east,west")
      }
      guard (1...9).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 9") }
    }

    func run() async throws {
      let names = regions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      let lab = try Lab(regions: names, brokersPerRegion: brokers)
      let yaml = lab.topologyYAML
      // The file must be one the server accepts; a lab that writes a bad one is a bug.
      _ = try TopologyLoader.parse(yaml: yaml, file: topologyOut)
      do {
        try yaml.write(toFile: topologyOut, atomically: true, encoding: .utf8)
      } catch {
        printError("cannot write \(topologyOut): \(error.localizedDescription)")
        throw Exit.cannotCreate
      }
      for region in lab.regions {
        print("region \(region.name): \(region.brokerCount) brokers at \(region.bootstrapServers)")
      }
      print("topology written to \(topologyOut)")
      print("lab running; press Ctrl-C to stop")
      let sig = await waitForTerminationSignal()
      print("received \(sig == SIGINT ? "SIGINT" : "SIGTERM"), stopping the lab")
    }
  }
}
