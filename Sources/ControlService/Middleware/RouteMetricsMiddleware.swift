import Hummingbird

/// Counts every answer of a route by its template (`/v1/failovers/{id}`, not the id) and
/// status code, errors included: outermost, it sees the status the client gets.
struct RouteMetricsMiddleware: RouterMiddleware {
  typealias Context = APIContext
  let metrics: ServiceMetrics
  let route: String

  func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
    async throws -> Response
  {
    let response = try await next(request, context)
    metrics.request(route: route, method: request.method.rawValue, code: response.status.code)
    return response
  }
}
