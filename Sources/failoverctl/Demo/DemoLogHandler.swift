import Logging
import Synchronization

/// The demo's log handler: components' own logs on stderr (errors only, unless
/// DEMO_DEBUG is set) until the demo tears its pieces down; the cancellations that
/// teardown causes are not errors worth showing.
struct DemoLogHandler: LogHandler {
  static let tearingDown = Atomic<Bool>(false)

  private var inner: StreamLogHandler

  init(label: String, level: Logger.Level) {
    inner = StreamLogHandler.standardError(label: label)
    inner.logLevel = level
  }

  var logLevel: Logger.Level {
    get { inner.logLevel }
    set { inner.logLevel = newValue }
  }

  var metadata: Logger.Metadata {
    get { inner.metadata }
    set { inner.metadata = newValue }
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { inner[metadataKey: key] }
    set { inner[metadataKey: key] = newValue }
  }

  func log(event: LogEvent) {
    guard !Self.tearingDown.load(ordering: .relaxed) else { return }
    inner.log(event: event)
  }
}
