import HTTPTypes
import Hummingbird

/// A path the API serves, asked with a method it does not serve (TRACE, QUERY, PUT on a
/// GET route...): 405 with `Allow`, not the router's 404, as HTTP says. Paths the API does
/// not know stay 404.
struct MethodNotAllowedMiddleware: RouterMiddleware {
  typealias Context = APIContext
  /// Each route template's segments (`{name}` matches any one segment) and its methods.
  let templates: [(segments: [Substring], methods: [HTTPRequest.Method])]

  init(routes: [APIRoute]) {
    templates = Dictionary(grouping: routes, by: \.path).map { path, served in
      (path.split(separator: "/"), served.map(\.method))
    }
  }

  func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
    async throws -> Response
  {
    do {
      return try await next(request, context)
    } catch let error as HTTPError where error.status == .notFound {
      let segments = request.uri.path.split(separator: "/")
      guard let match = templates.first(where: { Self.matches($0.segments, segments) }) else { throw error }
      let allow = match.methods.map(\.rawValue).joined(separator: ", ")
      return try APIError(
        status: .methodNotAllowed, code: "method-not-allowed",
        message: "\(request.method) is not served at \(request.uri.path); use \(allow)", headers: [.allow: allow]
      ).response(from: request, context: context)
    }
  }

  static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
    template.count == path.count
      && zip(template, path).allSatisfy { t, p in (t.hasPrefix("{") && t.hasSuffix("}")) || t == p }
  }
}
