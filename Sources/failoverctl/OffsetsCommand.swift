import ArgumentParser
import Foundation
import KafkaClient
import Orchestrator
import Topology

struct OffsetsCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "offsets",
    abstract: "MirrorMaker 2 state and consumer-offset translation.",
    subcommands: [Ingest.self, Translate.self, Apply.self, Lag.self])
}

/// Options every `offsets` command shares.
struct FlowOptions: ParsableArguments {
  @Option(help: "The topology YAML file.") var config: String
  @Option(help: "The SQLite state database.") var db: String = StateStore.defaultPath
  @Option(help: "The flow, as SOURCE->TARGET (e.g. east->west).") var flow: String

  /// Loads the topology and finds the flow before anything touches a cluster.
  func load() async throws -> (LoadedTopology, Flow, StateStore) {
    let loaded = try TopologyLoader.load(path: config)
    guard let flow = loaded.topology.flows.first(where: { $0.name == self.flow }) else {
      let known = loaded.topology.flows.map(\.name).joined(separator: ", ")
      printError("--flow \(self.flow): no such flow in \(config) (known: \(known.isEmpty ? "none" : known))")
      throw Exit.invalid
    }
    return (loaded, flow, try await StateStore.open(path: db))
  }
}

struct TranslateOptions: ParsableArguments {
  @Option(
    name: .customLong("group"), help: "A consumer group (repeatable); default: every group of the flow's services.")
  var groups: [String] = []
  @Option(
    help:
      "checkpoint, offset-sync, timestamp or identity; default: identity for offset-preserving flows, else checkpoint.")
  var mode: TranslationMode?
  @Flag(help: "Do not contact the source cluster: translate from the stored state alone.") var offline = false
}

extension TranslationMode: ExpressibleByArgument {}

extension OffsetsCommand {
  struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Read a flow's MM2 checkpoints, offset-syncs and heartbeats into the database.",
      discussion: "Without --follow, reads up to the current end and exits; a later run resumes where it stopped.")

    @OptionGroup var flowOptions: FlowOptions
    @Flag(help: "Keep following until SIGINT/SIGTERM.") var follow = false
    @Option(help: "Seconds allowed to catch up.") var timeout: Int = 60
    @Option(help: "text or json.") var output: OutputFormat = .text

    func run() async throws {
      do {
        let (loaded, flow, store) = try await flowOptions.load()
        let ingester = try MM2Ingester(flow: flow, topology: loaded.topology, store: store)
        let stats = try await ingester.catchUp(timeout: .seconds(timeout))
        if output == .json {
          try printJSON(stats)
        } else {
          print(
            "\(flow.name): \(stats.checkpoints) checkpoints, \(stats.offsetSyncs) offset-syncs, \(stats.heartbeats) heartbeats, \(stats.poison) poison records skipped"
          )
          if !stats.missingTopics.isEmpty { print("  not found yet: \(stats.missingTopics.joined(separator: ", "))") }
        }
        if follow {
          let task = Task { await ingester.run() }
          _ = await waitForTerminationSignal()
          task.cancel()
        }
      } catch {
        throw reportFailure(error)
      }
    }
  }

  struct Translate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Translate the groups' committed offsets onto the flow's target; changes nothing.")

    @OptionGroup var flowOptions: FlowOptions
    @OptionGroup var translateOptions: TranslateOptions
    @Option(help: "table (text) or json.") var output: OutputFormat = .text

    func run() async throws {
      do {
        let (loaded, flow, store) = try await flowOptions.load()
        let translations = try await translate(loaded.topology, flow, store, translateOptions)
        if output == .json { try printJSON(translations) } else { print(translationTable(translations)) }
        if translations.contains(where: { !$0.isTranslated }) { throw Exit.partial }
      } catch {
        throw reportFailure(error)
      }
    }
  }

  struct Apply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Translate and write the groups' offsets on the flow's target.",
      discussion: """
        Only groups of the flow's services are written. A group with live members on the target, or a partition \
        whose target offset is already ahead, is skipped unless --force. Safe to re-run. Exit code 3 when some \
        group-partitions were skipped or failed.
        """)

    @OptionGroup var flowOptions: FlowOptions
    @OptionGroup var translateOptions: TranslateOptions
    @Flag(help: "Show what would be written; write nothing.") var dryRun = false
    @Flag(help: "Write even to groups with live members or past the target's current offsets.") var force = false
    @Option(help: "table (text) or json.") var output: OutputFormat = .text

    func run() async throws {
      do {
        let (loaded, flow, store) = try await flowOptions.load()
        let translations = try await translate(loaded.topology, flow, store, translateOptions)
        guard let target = loaded.topology.cluster(flow.target) else { throw Exit.invalid }
        let planner = TranslationPlanner(flow: flow, topology: loaded.topology, store: store)
        let outcomes = try await OffsetApplier(target: try target.makeClient(timeout: .seconds(10)), planner: planner)
          .apply(translations, force: force, dryRun: dryRun)
        if !dryRun {
          try await store.appendAudit(
            AuditEntry(
              actor: "cli:\(ProcessInfo.processInfo.userName)", action: .offsetsApply, subject: flow.name,
              details: "groups=\(Set(outcomes.map(\.group)).sorted()) force=\(force)",
              outcome: outcomes.allSatisfy { [.written, .unchanged].contains($0.status) } ? .ok : AuditOutcome(.partial)
            ))
        }
        if output == .json {
          try printJSON(outcomes)
        } else {
          print(
            table(
              ["GROUP", "TOPIC", "PART", "OFFSET", "STATUS", "REASON"],
              outcomes.map {
                [
                  $0.group, $0.topic, "\($0.partition)", $0.offset.map(String.init) ?? "-", $0.status.rawValue,
                  $0.reason ?? "",
                ]
              }))
        }
        if outcomes.contains(where: { $0.status == .skipped || $0.status == .failed }) { throw Exit.partial }
      } catch {
        throw reportFailure(error)
      }
    }
  }

  struct Lag: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Records not yet replicated per partition, and the age of the newest checkpoint and heartbeat.")

    @OptionGroup var flowOptions: FlowOptions
    @Flag(help: "Do not contact the source cluster (record lag unknown).") var offline = false
    @Option(help: "table (text) or json.") var output: OutputFormat = .text

    func run() async throws {
      do {
        let (loaded, flow, store) = try await flowOptions.load()
        let source = offline ? nil : try loaded.topology.cluster(flow.source)?.makeClient(timeout: .seconds(5))
        let lag = try await FlowLag.measure(flow: flow, store: store, source: source)
        if output == .json {
          try printJSON(lag)
        } else {
          print(
            table(
              ["TOPIC", "PART", "SOURCE-HW", "NEWEST-SYNC", "BEHIND"],
              lag.partitions.map {
                [
                  $0.topic, "\($0.partition)", opt($0.sourceHighWatermark), opt($0.newestSyncUpstream),
                  opt($0.recordsBehind),
                ]
              }))
          print(
            "total behind: \(opt(lag.recordsBehind)); checkpoint age: \(seconds(lag.checkpointAgeSeconds)); heartbeat age: \(seconds(lag.heartbeatAgeSeconds)); poison records: \(lag.poisonRecords)"
          )
        }
      } catch {
        throw reportFailure(error)
      }
    }
  }
}

private func opt(_ v: Int64?) -> String { v.map(String.init) ?? "?" }
private func seconds(_ v: Double?) -> String { v.map { String(format: "%.1f s", $0) } ?? "unknown" }

func translate(_ topology: Topology, _ flow: Flow, _ store: StateStore, _ o: TranslateOptions) async throws
  -> [Translation]
{
  let planner = TranslationPlanner(flow: flow, topology: topology, store: store)
  let source = o.offline ? nil : try topology.cluster(flow.source)?.makeClient(timeout: .seconds(5))
  let target = try topology.cluster(flow.target)?.makeClient(timeout: .seconds(5))
  return try await planner.translate(
    groups: o.groups.isEmpty ? nil : o.groups, mode: o.mode, source: source, target: target)
}

func translationTable(_ translations: [Translation]) -> String {
  table(
    ["GROUP", "TOPIC", "PART", "UPSTREAM", "FROM", "TRANSLATED", "REDELIVERY", "BASIS"],
    translations.map {
      [
        $0.group, $0.targetTopic, "\($0.partition)", $0.upstreamOffset.map(String.init) ?? "-",
        $0.upstreamFrom, $0.translatedOffset.map(String.init) ?? "-", $0.redeliveryBound.map(String.init) ?? "?",
        $0.error ?? $0.basis,
      ]
    })
}
