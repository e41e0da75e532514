import Foundation

/// Active-active: keys of a service's topics written in more than one region within the
/// window, as far as the sample shows. Kafka keeps both writes; which one the
/// application's state ends with depends on the order each consumer read them in.
public struct ConflictReport: Sendable, Codable, Equatable {
  public struct Example: Sendable, Codable, Equatable {
    public let topic: String
    /// The key as text when it is printable UTF-8, else `0x` and hex.
    public let key: String
    /// The clusters (regions' clusters) that took a write of it within the window.
    public let clusters: [String]
    public let at: Date
  }

  public let service: String
  public let windowSeconds: Double
  /// One key in this many is watched.
  public let sample: Int
  /// Keys held now (at most the configured maxKeys).
  public let keysWatched: Int
  /// Sampled keys that two or more regions' clusters wrote within the last window.
  public let conflictingKeys: Int
  /// Sampled writes of a key another region's cluster had written within the window,
  /// since the watch started.
  public let conflictingWrites: Int
  /// The most recent ones, newest first (at most 10).
  public let recent: [Example]
  public let checkedAt: Date
}
