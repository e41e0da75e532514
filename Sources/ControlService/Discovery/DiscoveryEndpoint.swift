import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import Orchestrator
import Topology

/// What the discovery routes answer, decided from the request alone:
/// `GET /v1/services/{name}/discovery[?wait=SECONDS&epoch=N]` and
/// `GET /v1/services/{name}/events`. `DiscoveryChannelHandler` carries the decision out
/// on the connection, below Hummingbird's router.
struct DiscoveryEndpoint: Sendable {
  static let discoveryRoute = "/v1/services/{name}/discovery"
  static let eventsRoute = "/v1/services/{name}/events"

  let board: DiscoveryBoard
  /// The token check of the rest of the API, with the role discovery needs (none by default).
  let auth: BearerAuthMiddleware
  let maxWait: Duration
  let metrics: ServiceMetrics
  /// The counters of the answers nearly every request gets, looked up once.
  let counters: Counters
  let limits: ServerLimits

  struct Counters: Sendable {
    let discoveryOK: CoreMetrics.Counter
    let discoveryNotModified: CoreMetrics.Counter
    let eventsOK: CoreMetrics.Counter
  }

  init(
    board: DiscoveryBoard, auth: BearerAuthMiddleware, maxWait: Duration, metrics: ServiceMetrics,
    limits: ServerLimits = ServerLimits(APISettings())
  ) {
    self.limits = limits
    self.board = board
    self.auth = auth
    self.maxWait = maxWait
    self.metrics = metrics
    counters = Counters(
      discoveryOK: metrics.requestCounter(route: Self.discoveryRoute, method: "GET", code: 200),
      discoveryNotModified: metrics.requestCounter(route: Self.discoveryRoute, method: "GET", code: 304),
      eventsOK: metrics.requestCounter(route: Self.eventsRoute, method: "GET", code: 200))
  }

  enum Route: Equatable {
    case discovery(service: String)
    case events(service: String)

    var template: String {
      switch self {
      case .discovery: DiscoveryEndpoint.discoveryRoute
      case .events: DiscoveryEndpoint.eventsRoute
      }
    }
  }

  /// A complete answer.
  struct Answer {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: ByteBuffer?
    /// The status line and headers already encoded (a document's answers).
    var head: ByteBuffer?

    init(_ p: PublishedDiscovery, ifNoneMatch: String?) {
      self.init(p, notModified: ifNoneMatch.map(p.matches(ifNoneMatch:)) ?? false)
    }

    init(_ p: PublishedDiscovery, notModified: Bool) {
      if notModified {
        self.init(status: .notModified, headers: p.notModifiedHeaders, body: nil, head: p.notModifiedHead)
      } else {
        self.init(status: .ok, headers: p.okHeaders, body: p.body, head: p.okHead)
      }
    }

    init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer?, head: ByteBuffer? = nil) {
      self.status = status
      self.headers = headers
      self.body = body
      self.head = head
    }

    /// The answer as HTTP/1.1 bytes, without the date lines and the blank line.
    var encodedHead: ByteBuffer { head ?? ResponseEncoding.head(status, headers) }

    init(_ error: APIError) {
      var headers = error.responseHeaders
      let body = error.body
      headers[.contentLength] = String(body.readableBytes)
      self.init(status: error.status, headers: headers, body: body)
    }
  }

  enum Decision {
    /// The document's 200, or its 304 when `If-None-Match` names it: what nearly every
    /// request gets, sent as the document's ready bytes.
    case document(PublishedDiscovery, notModified: Bool)
    case answer(Answer)
    /// Park until the condition is met or the timeout; then answer the document (or 304).
    case longPoll(service: LaneID, condition: DiscoveryBoard.Condition, timeout: Duration, ifNoneMatch: String?)
    /// An event stream, starting after the event with this id (the epoch) when given.
    case stream(service: LaneID, after: Int64?)
  }

  /// The route a request is for, when it is one of these two and a GET.
  static func route(_ head: HTTPRequestHead) -> Route? {
    guard head.method == .GET else { return nil }
    let target = head.uri
    // Every request passes here: bytes, not Characters (no grapheme breaking, no Foundation).
    let bytes = target.utf8
    guard bytes.starts(with: servicesPrefix) else { return nil }
    var rest = bytes.dropFirst(servicesPrefix.count)
    if let query = rest.firstIndex(of: UInt8(ascii: "?")) { rest = rest[..<query] }
    let isEvents: Bool
    if rest.count > discoverySuffix.count, rest.suffix(discoverySuffix.count).elementsEqual(discoverySuffix) {
      (rest, isEvents) = (rest.dropLast(discoverySuffix.count), false)
    } else if rest.count > eventsSuffix.count, rest.suffix(eventsSuffix.count).elementsEqual(eventsSuffix) {
      (rest, isEvents) = (rest.dropLast(eventsSuffix.count), true)
    } else {
      return nil
    }
    guard !rest.contains(UInt8(ascii: "/")) else { return nil }
    let name = String(decoding: rest, as: UTF8.self)
    return isEvents ? .events(service: name) : .discovery(service: name)
  }

  private static let servicesPrefix = Array("/v1/services/".utf8)
  private static let discoverySuffix = Array("/discovery".utf8)
  private static let eventsSuffix = Array("/events".utf8)

  func decide(_ route: Route, _ head: HTTPRequestHead) -> Decision {
    do {
      return try decideOrThrow(route, head)
    } catch let error as APIError {
      return .answer(Answer(error))
    } catch {
      return .answer(Answer(APIError(status: .internalServerError, code: "internal", message: "\(error)")))
    }
  }

  /// 429: the client's address holds as many long-polls and streams as it may.
  func tooManyWaits(_ address: String) -> Answer {
    var error = APIError(
      status: .tooManyRequests, code: "too-many-waits",
      message:
        "\(address) already holds \(limits.maxWaitsPerClient) long-polls and event streams (api.maxWaitsPerClient); "
        + "poll without wait, or close one")
    error.headers[.retryAfter] = "1"
    return Answer(error)
  }

  /// 503 when this instance has not confirmed the shared state lately: what it holds may
  /// be older than what the leader wrote (docs/high-availability.md).
  func stale() -> Answer? { board.isFresh ? nil : Self.staleAnswer }

  static let staleAnswer: Answer = {
    var error = APIError(
      status: .serviceUnavailable, code: "stale",
      message: "this instance has not confirmed the shared state lately (is etcd reachable from it?); ask another")
    error.headers[.retryAfter] = "1"
    return Answer(error)
  }()

  private func decideOrThrow(_ route: Route, _ head: HTTPRequestHead) throws -> Decision {
    _ = try auth.authorize(head.headers.first(name: "Authorization"))
    let name: String
    switch route {
    case .discovery(let s), .events(let s): name = s
    }
    let hasQuery = head.uri.utf8.contains(UInt8(ascii: "?"))
    let query = hasQuery ? URI(head.uri).queryParameters : [:]
    let region: String? = hasQuery ? query.get("region").map { String($0) } : nil
    var key = LaneID(service: name)
    var (found, fresh) = board.lookup(key)
    guard fresh else { return .answer(Self.staleAnswer) }
    if found == nil, let region, let lane = board.lookup(LaneID(service: name, region: region)).0 {
      // Active-active: one document per client region, under the region's lane.
      (found, key) = (lane, LaneID(service: name, region: region))
    }
    if found == nil {
      // Not a lane either: an active-active service asked without a region or with an
      // unknown one (400, naming its regions), or no such service (404).
      let regions = board.services.filter { $0.service == name }.compactMap(\.region)
      if !regions.isEmpty {
        guard let region else {
          throw APIError(
            status: .badRequest, code: "region-required",
            message:
              "\(name) is active-active: say which region's clients ask (?region=R; regions: \(regions.joined(separator: ", ")))",
            fields: [FieldError("region", "required; one of \(regions.joined(separator: ", "))")])
        }
        guard regions.contains(region) else {
          let hint = suggestion(for: region, among: regions).map { "; did you mean \"\($0)\"?" } ?? ""
          throw APIError(
            status: .badRequest, code: "unknown-region",
            message: "unknown region \"\(region)\" for \(name) (regions: \(regions.joined(separator: ", ")))",
            fields: [FieldError("region", "one of \(regions.joined(separator: ", "))\(hint)")])
        }
      }
    }
    guard let published = found else {
      let names = Set(board.services.map(\.service)).sorted()
      let hint = suggestion(for: name, among: names).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw APIError.notFound("unknown service \"\(name)\"\(hint)")
    }
    if case .events = route {
      return .stream(service: key, after: try Self.lastEventID(head.headers.first(name: "Last-Event-ID")))
    }
    let ifNoneMatch = head.headers.first(name: "If-None-Match")
    let plain = Decision.document(published, notModified: ifNoneMatch.map(published.matches(ifNoneMatch:)) ?? false)
    guard hasQuery else { return plain }
    // An epoch is checked whenever it is given, used or not: a client that sends a bad one
    // hears so rather than being answered as if it had sent none.
    var epoch: Int64? = nil
    if let epochText = query.get("epoch") {
      guard let e = Int64(epochText) else {
        throw APIError.invalid(
          "invalid query", fields: [FieldError("epoch", "expected an integer (int64), found \"\(epochText)\"")])
      }
      epoch = e
    }
    guard let waitText = query.get("wait") else { return plain }
    let wait = try parseWait(String(waitText))
    var condition = DiscoveryBoard.Condition()
    if let epoch {
      condition.epoch = epoch
    } else if let ifNoneMatch {
      condition.etag = ifNoneMatch
    } else {
      // Neither: wait for the next change of the document as it is now.
      condition.epoch = published.epoch
    }
    return .longPoll(service: key, condition: condition, timeout: wait, ifNoneMatch: ifNoneMatch)
  }

  /// The answer to a parked long-poll: the document that met its condition, else (its
  /// timeout, the server closing) 304 with the document as it is.
  func answer(longPoll service: LaneID, with p: PublishedDiscovery?, ifNoneMatch: String?) -> Answer {
    if let p { return Answer(p, ifNoneMatch: ifNoneMatch) }
    // Let go because the board went stale: not a 304, which would renew the client's lease.
    if let answer = stale() { return answer }
    if let now = board.current(service) {
      return Answer(now, notModified: true)
    }
    return Answer(status: .notModified, headers: [:], body: nil)
  }

  /// `Last-Event-ID`: the epoch of the last event a reconnecting client saw.
  static func lastEventID(_ header: String?) throws -> Int64? {
    guard let header else { return nil }
    let text = header.trimmingCharacters(in: .whitespaces)
    guard let id = Int64(text), id >= 0 else {
      throw APIError.badRequest(
        "Last-Event-ID: expected the id of the last event received (an epoch, an integer of 0 or more), found \"\(header)\""
      )
    }
    return id
  }

  /// `30`, `30s`, `1.5s`, `1500ms`, `2m`: seconds, or a number and a unit (ms, s, m, h, d);
  /// capped at the configured `api.maxWait`. Exactly what openapi.yaml's pattern for `wait`
  /// says: `^([0-9]{1,9}|[0-9]{1,9}(\.[0-9]{1,6})?(ms|s|m|h|d))$`.
  static func parseWait(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
    let unit = units.first { text.hasSuffix($0.0) }
    let number = unit.map { text.dropLast($0.0.count) } ?? text[...]
    let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
    let digits = { (p: Substring, most: Int) in
      !p.isEmpty && p.count <= most && p.allSatisfy(\.isASCII) && p.allSatisfy(\.isNumber)
    }
    guard digits(parts[0], 9), parts.count == 1 || (unit != nil && digits(parts[1], 6)), let n = Double(number)
    else { return nil }
    return .milliseconds(Int64((n * (unit?.1 ?? 1) * 1000).rounded()))
  }

  private func parseWait(_ text: String) throws -> Duration {
    guard let d = Self.parseWait(text) else {
      throw APIError.invalid(
        "invalid query",
        fields: [
          FieldError("wait", "expected seconds (30) or a number and a unit (30s, 1500ms, 2m), found \"\(text)\"")
        ])
    }
    return min(d, maxWait)
  }

  func count(_ route: Route, _ status: HTTPResponse.Status) {
    switch (route, status) {
    case (.discovery, .ok): counters.discoveryOK.increment()
    case (.discovery, .notModified): counters.discoveryNotModified.increment()
    case (.events, .ok): counters.eventsOK.increment()
    default: metrics.request(route: route.template, method: "GET", code: status.code)
    }
  }
}
