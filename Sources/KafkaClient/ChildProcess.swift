import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Starting child processes from a process that listens on sockets and runs other
/// children: the one place that knows the two traps.
public enum ChildProcess {
  /// Starts `process` so that it inherits no descriptor but its standard ones.
  ///
  /// - librdkafka's mock brokers listen on sockets without close-on-exec: a child would
  ///   inherit them and keep a "down" broker's port listening (the mock aborts when it
  ///   cannot bind it again). So no child starts while a listener is being created.
  /// - Foundation's `Process` learns that a child exited when a socket it gave that child
  ///   closes (swift-corelibs-foundation#4795): a child that inherits another child's
  ///   socket hides that one's exit for as long as it lives (a zombie, `isRunning` true).
  ///
  /// So every open descriptor is marked close-on-exec, under the lock that listeners are
  /// created under, just before the child starts.
  public static func run(_ process: Process) throws {
    try MockCluster.withListenerLock {
      markDescriptorsCloseOnExec()
      try process.run()
    }
  }

  private static func markDescriptorsCloseOnExec() {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
    for entry in entries {
      guard let fd = Int32(entry), fd > 2 else { continue }
      let flags = fcntl(fd, F_GETFD)
      if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
    }
  }
}
