/// Active-active, optional: watch the service's keyed topics for keys written in more than
/// one region within `window` — Kafka resolves no such conflict, the application must.
/// Sampled by a hash of the key (so every region samples the same keys) and bounded.
public struct ConflictReportSettings: Sendable, Equatable {
  public var window: Duration
  /// One key in `sample` is watched (1: every key).
  public var sample: Int
  /// At most this many keys are held; the oldest go first.
  public var maxKeys: Int

  public static let defaultWindow: Duration = .seconds(300)

  public init(window: Duration = ConflictReportSettings.defaultWindow, sample: Int = 1, maxKeys: Int = 100_000) {
    self.window = window
    self.sample = sample
    self.maxKeys = maxKeys
  }
}
