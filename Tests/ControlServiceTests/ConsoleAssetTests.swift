import Foundation
import Testing

@testable import ControlService

@Suite("Console assets: compiled in, complete, no inline script or markup insertion")
struct ConsoleAssetTests {
  static func text(_ name: String) throws -> String {
    let asset = try #require(ConsoleAsset.byName[name], "\(name) is not served")
    return String(decoding: asset.bytes, as: UTF8.self)
  }

  /// Every file the page or a module names is served: a file added to Assets but not to
  /// `ConsoleAsset.byName` would be a 404 only a browser would notice.
  @Test func everyReferencedFileIsServed() throws {
    var referenced: Set<String> = []
    let html = try Self.text("index.html")
    for m in html.matches(of: try Regex(##"(?:src|href)="([^"#:]+)""##)) {
      referenced.insert(String(m.output[1].substring!))
    }
    for name in ConsoleAsset.byName.keys where name.hasSuffix(".js") {
      for m in try Self.text(name).matches(of: try Regex(#"from "\./([^"]+)""#)) {
        referenced.insert(String(m.output[1].substring!))
      }
    }
    #expect(referenced.contains("console.js") && referenced.contains("overview.js"))
    #expect(referenced.subtracting(ConsoleAsset.byName.keys).isEmpty, "referenced, not served")
  }

  /// The page builds everything from text nodes: no API for parsing markup is used, and
  /// the page has no inline script (the policy would block it anyway).
  @Test func nothingParsesMarkupAndNothingIsInline() throws {
    for name in ConsoleAsset.byName.keys where name.hasSuffix(".js") {
      let js = try Self.text(name)
      for banned in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
        #expect(!js.contains(banned), "\(name) uses \(banned)")
      }
    }
    let html = try Self.text("index.html")
    #expect(!html.contains("<script>") && !html.contains(" style=") && !html.contains(" onclick="))
    #expect(ConsoleAsset.contentSecurityPolicy.contains("script-src 'self'"))
    #expect(!ConsoleAsset.contentSecurityPolicy.contains("unsafe"))
  }
}
