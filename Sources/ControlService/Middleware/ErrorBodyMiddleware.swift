import Hummingbird
import Logging
import Orchestrator

/// Turns what a handler or an inner middleware throws into the API's JSON error body: an
/// `APIError` as it is, a refusal of the switch (`ControlError`) by its kind, anything else
/// as a logged 500. Inside the metrics middleware, so that errors are counted by status.
struct ErrorBodyMiddleware: RouterMiddleware {
  typealias Context = APIContext
  let route: String

  func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
    async throws -> Response
  {
    do {
      return try await next(request, context)
    } catch let error as APIError {
      return try error.response(from: request, context: context)
    } catch let error as ControlError {
      return try APIError(error).response(from: request, context: context)
    } catch {
      context.logger.error("\(request.method) \(route): \(error)")
      return try APIError(status: .internalServerError, code: "internal", message: "\(error)")
        .response(from: request, context: context)
    }
  }
}
