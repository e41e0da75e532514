import Foundation

/// The console's files, compiled into the binary (`PackageResources`, from SwiftPM's
/// `embedInCode`): no CDN, no build step, nothing to install beside `failoverctl`.
struct ConsoleAsset: Sendable {
  let bytes: [UInt8]
  let contentType: String
  /// Strong: a digest of the bytes, so a new binary's files are never taken for old ones.
  let etag: String

  init(_ bytes: [UInt8], _ contentType: String) {
    self.bytes = bytes
    self.contentType = contentType
    etag = "\"" + SHA256.hex(SHA256.hash(bytes).prefix(12)) + "\""
  }

  /// Every file by the name it is served under (`/ui/NAME`).
  static let byName: [String: ConsoleAsset] = {
    let js = "text/javascript; charset=utf-8"
    return [
      "index.html": ConsoleAsset(PackageResources.index_html, "text/html; charset=utf-8"),
      "console.css": ConsoleAsset(PackageResources.console_css, "text/css; charset=utf-8"),
      "console.js": ConsoleAsset(PackageResources.console_js, js),
      "api.js": ConsoleAsset(PackageResources.api_js, js),
      "dom.js": ConsoleAsset(PackageResources.dom_js, js),
      "charts.js": ConsoleAsset(PackageResources.charts_js, js),
      "overview.js": ConsoleAsset(PackageResources.overview_js, js),
      "lag.js": ConsoleAsset(PackageResources.lag_js, js),
      "failovers.js": ConsoleAsset(PackageResources.failovers_js, js),
      "drills.js": ConsoleAsset(PackageResources.drills_js, js),
      "audit.js": ConsoleAsset(PackageResources.audit_js, js),
      "actions.js": ConsoleAsset(PackageResources.actions_js, js),
      "favicon.svg": ConsoleAsset(PackageResources.favicon_svg, "image/svg+xml"),
    ]
  }()

  /// Scripts and styles from this server only, no inline script or style attribute, no
  /// framing, no form posted anywhere: a value that slipped into the page as markup
  /// could still not run.
  static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}
