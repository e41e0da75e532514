/// A flow's replication canary (`canary:` under a flow): a small timestamped record written
/// to `topic` on the source every `interval`, whose copy is looked for on the target. A
/// copy that has not arrived after `timeout` counts as lost and degrades the flow.
public struct FlowCanary: Sendable, Equatable {
  public static let defaultTopic = "failoverctl.canary"

  public var topic: String
  public var interval: Duration
  public var timeout: Duration

  public init(topic: String = Self.defaultTopic, interval: Duration = .seconds(5), timeout: Duration = .seconds(30)) {
    self.topic = topic
    self.interval = interval
    self.timeout = timeout
  }
}
