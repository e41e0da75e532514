import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Replaces a file so that a reader sees the old content or the new, never a part: the
/// new content goes to a temporary file in the same directory, is flushed to disk, and is
/// renamed over the old one.
public enum AtomicFile {
  public struct WriteError: Error, CustomStringConvertible, Sendable {
    public let description: String
  }

  public static func write(_ text: String, to path: String) throws(WriteError) {
    let dir = (path as NSString).deletingLastPathComponent
    let temporary = (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw WriteError(description: "cannot write \(temporary): \(errnoText())") }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        let why = errnoText()
        close(fd)
        unlink(temporary)
        throw WriteError(description: "cannot write \(temporary): \(why)")
      }
      written += n
    }
    guard fsync(fd) == 0, close(fd) == 0 else {
      unlink(temporary)
      throw WriteError(description: "cannot flush \(temporary): \(errnoText())")
    }
    guard rename(temporary, path) == 0 else {
      let why = errnoText()
      unlink(temporary)
      throw WriteError(description: "cannot replace \(path): \(why)")
    }
    // The rename itself lasts once the directory is on disk too.
    let dfd = open(dir.isEmpty ? "." : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if dfd >= 0 {
      _ = fsync(dfd)
      close(dfd)
    }
  }

  private static func errnoText() -> String { String(cString: strerror(errno)) }
}
