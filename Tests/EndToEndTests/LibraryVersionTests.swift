import Foundation
import KafkaClient
import TestSupport
import Testing

/// The librdkafka the built binary runs on, as a user sees it: `make deps` builds 2.8.0 into
/// .deps/librdkafka and the binary finds it through its rpath.
@Suite("failoverctl and its librdkafka, as a user runs them")
struct LibraryVersionTests {
  @Test func versionNamesTheLibrdkafkaInUseAndItIsCurrent() async throws {
    let r = try await Failoverctl.run(["--version"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("(librdkafka 2.8.0)"), "\(r.stdout)")
  }

  @Test func servesFirstLogLineNamesTheLibrdkafkaInUse() async throws {
    let f = try await ServeFixture.start()
    let (_, stderr) = await f.stop()
    let first = stderr.split(separator: "\n").first.map(String.init) ?? ""
    #expect(first.contains("starting on librdkafka 2.8.0"), "\(first)")
  }

  @Test func theTestsThemselvesRunOnTheSameLibrdkafka() {
    #expect(KafkaLibrary.versionNumber >= KafkaLibrary.minimumVersion)
    #expect(KafkaLibrary.version == "2.8.0")
  }

  /// A system librdkafka, where the machine has one (Debian bookworm's librdkafka1 is 2.0.2),
  /// loaded ahead of the rpath: older than 2.2, every command refuses to start and says how
  /// to fix it; 2.2 or newer, it runs.
  @Test func anOlderLibrdkafkaIsRefusedWithWhatToDo() async throws {
    let system = "/usr/lib/x86_64-linux-gnu"
    guard let handle = dlopen(system + "/librdkafka.so.1", RTLD_NOW | RTLD_LOCAL) else { return }
    defer { dlclose(handle) }
    typealias VersionFunction = @convention(c) () -> Int32
    let symbol = try #require(dlsym(handle, "rd_kafka_version"))
    let systemVersion = unsafeBitCast(symbol, to: VersionFunction.self)()
    let running = try Failoverctl.start(
      ["config", "validate", Failoverctl.packageRoot.appendingPathComponent("examples/topology.yaml").path],
      environment: ["LD_LIBRARY_PATH": system])
    let status = await Failoverctl.wait(running.process)
    let err = await Failoverctl.readAll(running.stderr)
    if systemVersion < KafkaLibrary.minimumVersion {
      #expect(status == 69, "\(err)")
      #expect(err.contains("is loaded, and failoverctl needs 2.2 or newer"), "\(err)")
      #expect(err.contains("Run `make deps`"))
    } else {
      #expect(status == 0, "\(err)")
    }
  }
}
