import Foundation

/// Runs the built `failoverctl` as a user would, from the same build directory as the
/// test bundle.
public enum Failoverctl {
  public static var binary: URL {
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var dir = exe.deletingLastPathComponent()
    // macOS-style bundles nest the binary; Linux puts it beside the .xctest file.
    while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("failoverctl").path), dir.path != "/" {
      dir = dir.deletingLastPathComponent()
    }
    return dir.appendingPathComponent("failoverctl")
  }

  public struct Result: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
  }

  /// Runs to completion and returns the exit status and both outputs.
  public static func run(_ arguments: [String], cwd: URL? = nil) throws -> Result {
    let process = try start(arguments, cwd: cwd)
    let out = process.stdout.fileHandleForReading.readDataToEndOfFile()
    let err = process.stderr.fileHandleForReading.readDataToEndOfFile()
    process.process.waitUntilExit()
    return Result(
      status: process.process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
      stderr: String(decoding: err, as: UTF8.self))
  }

  public struct Running {
    public let process: Process
    public let stdout: Pipe
    public let stderr: Pipe
  }

  /// Starts without waiting, for long-running commands such as `lab up`.
  public static func start(_ arguments: [String], cwd: URL? = nil) throws -> Running {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    if let cwd { process.currentDirectoryURL = cwd }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return Running(process: process, stdout: out, stderr: err)
  }

  public static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  public static func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }
}
