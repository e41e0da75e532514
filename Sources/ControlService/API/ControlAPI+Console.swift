import HTTPTypes
import Hummingbird
import NIOCore

extension ControlAPI {
  /// The console (docs/console.md): `/` and `/ui` redirect to `/ui/`, which serves the
  /// page; `/ui/NAME` its scripts and styles. No token is needed for the files: the page
  /// asks for one and sends it with every API call.
  func addConsole(to router: Router<APIContext>) {
    router.get("/") { _, _ in Self.redirect("/ui/") }
    router.get("/ui") { request, _ in
      // Relative links in the page need the trailing slash (the router matches either).
      request.uri.path.hasSuffix("/") ? Self.serve("index.html", request) : Self.redirect("/ui/")
    }
    router.get("/ui/{file}") { request, context in
      Self.serve(context.parameters.get("file") ?? "", request)
    }
  }

  static func redirect(_ location: String) -> Response {
    Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
  }

  static func serve(_ name: String, _ request: Request) -> Response {
    guard let asset = ConsoleAsset.byName[name] else {
      return Response(
        status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: "no console file \"\(name)\"\n")))
    }
    var headers: HTTPFields = [
      .contentType: asset.contentType, .eTag: asset.etag,
      // Revalidated on every load: an upgraded binary's console is used at once.
      .cacheControl: "no-cache",
      .contentSecurityPolicy: ConsoleAsset.contentSecurityPolicy,
      .xContentTypeOptions: "nosniff",
      HTTPField.Name("Referrer-Policy")!: "no-referrer",
      HTTPField.Name("X-Frame-Options")!: "DENY",
    ]
    if request.headers[.ifNoneMatch] == asset.etag {
      headers[.contentType] = nil
      return Response(status: .notModified, headers: headers)
    }
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
  }
}
