import Hummingbird
import Orchestrator

extension APIContext {
  /// The `{id}` of the path: a failover's, a recovery's, a drill's.
  func pathID() throws -> Int64 {
    let text = parameters.get("id") ?? ""
    guard let id = Int64(text) else {
      throw APIError.invalid("invalid path", fields: [FieldError("id", "expected an integer, found \"\(text)\"")])
    }
    return id
  }

  /// The `{name}` of the path: a service's.
  var pathName: String { parameters.get("name") ?? "" }
}

extension Request {
  /// A query parameter's text, if given.
  func query(_ name: String) -> String? { uri.queryParameters.get(name).map { String($0) } }

  /// An integer query parameter within `range`, or `value` when it is not given.
  func query(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
    guard let text = query(name) else { return value }
    guard let n = Int(text), range.contains(n) else {
      throw APIError.invalid(
        "invalid query",
        fields: [
          FieldError(name, "expected an integer from \(range.lowerBound) to \(range.upperBound), found \"\(text)\"")
        ])
    }
    return n
  }
}
