import Synchronization

/// A flag set from one task and read from others.
final class DemoFlag: Sendable {
  private let box = Mutex(false)
  func set() { box.withLock { $0 = true } }
  var isSet: Bool { box.withLock { $0 } }
}
