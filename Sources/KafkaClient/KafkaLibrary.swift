import CRdKafka

/// The librdkafka this process runs on, as the dynamic linker found it (not as it was
/// compiled against: an rpath overridden by `LD_LIBRARY_PATH`, or a checkout that moved,
/// can load another one).
public enum KafkaLibrary {
  /// The oldest librdkafka that can talk to current brokers: before 2.2.0, tagged fields
  /// were skipped wrongly (confluentinc/librdkafka PR #4278) and an ApiVersions v3 answer
  /// that carries them fails with "Protocol read buffer underflow" (Tansu 0.6 does; so can
  /// Apache Kafka when it adds tagged fields).
  public static let minimumVersion: Int32 = 0x0202_00ff

  /// librdkafka's own version string, such as `2.8.0`.
  public static var version: String { String(cString: rd_kafka_version_str()) }

  /// `0xMMmmrrxx`, comparable with `minimumVersion`.
  public static var versionNumber: Int32 { rd_kafka_version() }

  /// Throws when the loaded librdkafka is too old, with what to do about it.
  public static func checkSupported() throws(UnsupportedLibrary) {
    guard versionNumber >= minimumVersion else { throw UnsupportedLibrary(found: version) }
  }
}

/// The loaded librdkafka is older than `KafkaLibrary.minimumVersion`.
public struct UnsupportedLibrary: Error, CustomStringConvertible {
  public let found: String

  public var description: String {
    """
    librdkafka \(found) is loaded, and failoverctl needs 2.2 or newer (older versions cannot \
    parse tagged fields in current brokers' answers). Run `make deps` in the checkout to build \
    librdkafka 2.8.0 into .deps/librdkafka, then `swift build` again; if it is built, check that \
    LD_LIBRARY_PATH does not point at an older one.
    """
  }
}
