import Hummingbird
import Orchestrator
import Topology

/// One route of the API: what `docs/openapi.yaml` documents, what the router serves and
/// which role it needs, in one place so the three cannot drift apart.
public struct APIRoute: Sendable {
  public let method: HTTPRequest.Method
  /// OpenAPI-style template: `/v1/services/{name}/discovery`.
  public let path: String
  /// Least role needed; nil: no token needed.
  public let role: APIRole?
  /// nil: served below the router, on the connection (`DiscoveryChannelHandler`); listed
  /// here so that its other methods answer 405 and the document stays in step.
  let handler: (@Sendable (Request, APIContext) async throws -> Response)?

  init(
    _ method: HTTPRequest.Method, _ path: String, role: APIRole?,
    _ handler: (@Sendable (Request, APIContext) async throws -> Response)?
  ) {
    self.method = method
    self.path = path
    self.role = role
    self.handler = handler
  }
}
