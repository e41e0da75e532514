import Foundation

/// Files of the checkout the demo runs from: found from the working directory, or above
/// the executable (`.build/debug/failoverctl` of a checkout).
enum CheckoutFiles {
  static var roots: [URL] {
    var roots = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<5 {
      roots.append(dir)
      dir = dir.deletingLastPathComponent()
    }
    return roots
  }

  /// The first root holding every one of `paths`, with them.
  static func locate(_ paths: [String]) -> [URL]? {
    for root in roots {
      let found = paths.map { root.appendingPathComponent($0) }
      if found.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) { return found }
    }
    return nil
  }

  /// The shipped policies' directory, if the demo runs from a checkout.
  static var policies: URL? {
    locate(["policies/active-passive.yaml"]).map { $0[0].deletingLastPathComponent() }
  }
}
