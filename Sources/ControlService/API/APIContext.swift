import Hummingbird

/// The request context of the control service: Hummingbird's core plus the caller.
public struct APIContext: RequestContext {
  public var coreContext: CoreRequestContextStorage
  /// The authenticated caller; nil when the route needs no token and none was sent.
  public var principal: Principal?

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
  }

  /// The name written in the audit log.
  var actor: String { principal.map { "token:\($0.name)" } ?? "anonymous" }
}
