import Logging
import Synchronization

/// The demo's log handler: components' own logs on stderr (errors only, unless
/// DEMO_DEBUG is set) until the demo tears its pieces down; the cancellations that
/// teardown causes are not errors worth showing.
public struct DemoLogHandler: LogHandler {
  static let tearingDown = Atomic<Bool>(false)

  private var inner: StreamLogHandler

  public init(label: String, level: Logger.Level) {
    inner = StreamLogHandler.standardError(label: label)
    inner.logLevel = level
  }

  public var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  public var metadata: Logger.Metadata {
    get { inner.metadata }
    set { inner.metadata = newValue }
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { inner[metadataKey: key] }
    set { inner[metadataKey: key] = newValue }
  }

  public func log(event: LogEvent) {
    guard !Self.tearingDown.load(ordering: .relaxed) else { return }
    inner.log(event: event)
  }
}
