import Hummingbird
import Topology

/// Authenticates the bearer token of a request and checks it against the role its route
/// needs; sets `context.principal` for the handler and the audit log. A route that needs
/// no role still learns who called when a token is sent.
struct BearerAuthMiddleware: RouterMiddleware {
  typealias Context = APIContext
  let authenticator: TokenAuthenticator
  /// Least role needed; nil: no token needed.
  let role: APIRole?

  func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
    async throws -> Response
  {
    var context = context
    context.principal = try authorize(request.headers[.authorization])
    return try await next(request, context)
  }

  func authorize(_ header: String?) throws -> Principal? {
    guard let header else {
      if let role {
        throw APIError.unauthorized("this route needs a bearer token with role \(role.rawValue) or higher")
      }
      return nil
    }
    let parts = header.split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else {
      throw APIError.unauthorized("expected an Authorization header of the form \"Bearer TOKEN\"")
    }
    guard let principal = authenticator.authenticate(bearer: String(parts[1])) else {
      throw APIError.unauthorized("the token is not one of the configured tokens")
    }
    if let role, principal.role < role {
      throw APIError.forbidden(
        "token \(principal.name) has role \(principal.role.rawValue); this route needs \(role.rawValue) or higher")
    }
    return principal
  }
}
