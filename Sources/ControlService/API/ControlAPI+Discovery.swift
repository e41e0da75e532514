import Hummingbird
import Orchestrator
import Topology

extension ControlAPI {
  /// `GET /v1/services/{name}/discovery[?wait=SECONDS&epoch=N]`: the service's document
  /// with a strong ETag; 304 when `If-None-Match` names it; with `wait`, held until the
  /// epoch differs from N (or the ETag from `If-None-Match`), 304 at the timeout.
  @Sendable func discovery(_ request: Request, _ context: APIContext) async throws -> Response {
    let name = context.parameters.get("name") ?? ""
    guard var published = board.current(name) else {
      let hint = suggestion(for: name, among: board.services).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw APIError.notFound("unknown service \"\(name)\"\(hint)")
    }
    let query = request.uri.queryParameters
    let ifNoneMatch = request.headers[.ifNoneMatch]
    if let waitText = query.get("wait") {
      let wait = try parseWait(String(waitText))
      var condition = DiscoveryBoard.Condition()
      if let epochText = query.get("epoch") {
        guard let epoch = Int64(epochText) else {
          throw APIError.invalid(
            "invalid query", fields: [FieldError("epoch", "expected an integer, found \"\(epochText)\"")])
        }
        condition.epoch = epoch
      } else if let ifNoneMatch {
        condition.etag = ifNoneMatch
      } else {
        throw APIError.invalid(
          "invalid query", fields: [FieldError("wait", "a long-poll needs epoch=N or an If-None-Match header")])
      }
      if !condition.isMet(by: published) {
        guard let changed = await board.wait(name, for: condition, timeout: wait) else {
          return notModified(board.current(name) ?? published)
        }
        published = changed
      }
    }
    if let ifNoneMatch, published.matches(ifNoneMatch: ifNoneMatch) { return notModified(published) }
    return Response(status: .ok, headers: published.okHeaders, body: .init(byteBuffer: published.body))
  }

  private func notModified(_ p: PublishedDiscovery) -> Response {
    Response(status: .notModified, headers: p.notModifiedHeaders)
  }

  /// `30`, `30s`, `1500ms`, `2m`: capped at the configured `api.maxWait`.
  private func parseWait(_ text: String) throws -> Duration {
    let parsed = Int(text).map { Duration.seconds($0) } ?? DurationText.parse(text)
    guard let d = parsed, d >= .zero else {
      throw APIError.invalid(
        "invalid query", fields: [FieldError("wait", "expected seconds (30) or a duration (30s), found \"\(text)\"")])
    }
    return min(d, settings.maxWait)
  }
}
