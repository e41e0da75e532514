import Foundation
import KafkaLab

/// What a demo run is asked for (`failoverctl demo`'s options) and where it works.
public struct DemoSettings: Sendable {
  public var kind: DemoKind
  /// Roughly how long the traffic runs, in seconds.
  public var duration: Double
  /// Records per second over all services.
  public var rate: Int
  public var groupsPerService: Int
  /// The regions' Kafka: librdkafka's mock clusters or Tansu brokers.
  public var broker: SimulatedRegion.Broker
  /// The control service's SQLite database.
  public var database: String
  /// Configuration, logs and the orchestrators' databases are written here.
  public var work: URL
  /// The shipped policies the scenarios start from (`policies/` of the checkout).
  public var policies: URL
  /// The binary the control-plane scenario runs its orchestrators with (`failoverctl serve`).
  public var failoverctl: URL
  /// A line of the live timeline.
  public var say: @Sendable (String) -> Void

  public init(
    kind: DemoKind, duration: Double = 30, rate: Int = 400, groupsPerService: Int = 1,
    broker: SimulatedRegion.Broker = .mock, database: String? = nil, work: URL, policies: URL,
    failoverctl: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath(),
    say: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.kind = kind
    self.duration = duration
    self.rate = rate
    self.groupsPerService = groupsPerService
    self.broker = broker
    self.database = database ?? work.appendingPathComponent("failover.db").path
    self.work = work
    self.policies = policies
    self.failoverctl = failoverctl
    self.say = say
  }

  /// Where the scenario's policy is written for the control service (`Demo.run`).
  var policiesDirectory: URL { work.appendingPathComponent("policies") }

  /// How the report names the regions' brokers.
  var brokerName: String { broker == .mock ? "librdkafka mock clusters" : "Tansu 0.6 brokers" }
}

extension DemoSettings {
  /// `policies/` of the checkout the demo runs from (the working directory, or above the
  /// executable); nil when there is none.
  public static var shippedPolicies: URL? { CheckoutFiles.policies }
}
