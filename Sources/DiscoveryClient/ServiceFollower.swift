import CurlHTTP
import Foundation
import Synchronization

/// Follows one service's discovery across several control-service instances, as every
/// application needs to: its event stream (`/events`), or long-polls where a server has
/// none, each server in turn when one fails; the lease counted from the last word of any
/// server. It reports each change of what the client may do.
public final class ServiceFollower: Sendable {
  public let service: String
  /// Active-active: the region whose clients this one is with (`?region=`).
  public let region: String?
  public let servers: [String]
  let token: String?
  let http: HTTPClient
  /// How long to try before the first document, before `run` gives up as unreachable.
  let initialTimeout: Duration
  private let book = Mutex(LeaseBook())
  private let changes: AsyncStream<FollowerState>
  private let changed: AsyncStream<FollowerState>.Continuation

  /// - Parameter servers: base URLs (`http://host:port`), tried in this order.
  public init(
    service: String, region: String? = nil, servers: [String], token: String? = nil,
    initialTimeout: Duration = .seconds(30), http: HTTPClient = HTTPClient(maxConcurrentRequests: 2)
  ) {
    self.service = service
    self.region = region
    self.servers = servers.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    self.token = token
    self.initialTimeout = initialTimeout
    self.http = http
    (changes, changed) = AsyncStream.makeStream(of: FollowerState.self, bufferingPolicy: .unbounded)
  }

  /// What the client may do now; nil before the first document.
  public var state: FollowerState? { book.withLock { $0.state } }

  /// Follows until cancelled, calling `onChange` with every change, in order; throws when
  /// following cannot go on (unknown service, refused token, no server ever answered) or
  /// what `onChange` throws. Runs once per follower.
  public func run(_ onChange: @escaping @Sendable (FollowerState) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask { try await self.connect() }
      group.addTask { await self.watchLease() }
      group.addTask {
        for await s in self.changes { try await onChange(s) }
      }
      defer { group.cancelAll() }
      try await group.next()
    }
  }

  /// Changes the lease book and reports the change it makes, under one lock: two threads
  /// (the stream's, the lease watch) can never deliver their changes out of order.
  private func update(_ change: (inout LeaseBook) -> FollowerState?) {
    book.withLock { b in
      if let s = change(&b) { changed.yield(s) }
    }
  }

  private func watchLease() async {
    while !Task.isCancelled {
      try? await Task.sleep(for: .milliseconds(200))
      update { $0.check(now: .now) }
    }
  }

  /// How one attempt on one server ended.
  enum Outcome {
    /// It served for a while and then stopped (a stream ended, the server went away).
    case ended(String)
    /// It could not be used: tried again after the others.
    case failed(String)
    /// It has no event stream: long-poll it.
    case noEvents
  }

  private func connect() async throws {
    let started = ContinuousClock.now
    var noEvents: Set<String> = []
    var pause: Duration = .milliseconds(250)
    while !Task.isCancelled {
      var reasons: [String] = []
      for server in servers {
        var outcome = try await noEvents.contains(server) ? longPoll(server) : stream(server)
        if case .noEvents = outcome {
          noEvents.insert(server)
          outcome = try await longPoll(server)
        }
        switch outcome {
        case .ended:
          pause = .milliseconds(250)
        case .failed(let why):
          reasons.append("\(server): \(why)")
        case .noEvents: break
        }
        if Task.isCancelled { return }
      }
      if state == nil && ContinuousClock.now - started > initialTimeout {
        throw FollowError(
          .unreachable,
          "no server answered for \(service) within \(initialTimeout): " + reasons.joined(separator: "; "))
      }
      try? await Task.sleep(for: pause)
      pause = min(pause * 2, .seconds(5))
    }
  }

  private var headers: [HTTPHeader] { token.map { [HTTPHeader("Authorization", "Bearer \($0)")] } ?? [] }

  /// The event stream of one server, until it ends or falls silent for longer than the
  /// server's heartbeats allow.
  private func stream(_ server: String) async throws -> Outcome {
    var headers = self.headers + [HTTPHeader("Accept", "text/event-stream")]
    if let epoch = state?.document.epoch { headers.append(HTTPHeader("Last-Event-ID", "\(epoch)")) }
    // Heartbeats come every third of the lease: two missed means the server is gone, and
    // another is tried while the lease still holds.
    let silence = Duration.seconds(state?.document.leaseSeconds ?? DiscoveryView.defaultLeaseSeconds) * 2 / 3
    let progress = StreamProgress()
    let request = HTTPRequest(
      method: .get, url: "\(server)/v1/services/\(service)/events\(regionQuery("?"))", headers: headers,
      timeout: .seconds(86_400))
    let ended = await withTaskGroup(of: Result<CurlHTTP.HTTPResponse, any Error>?.self) { group in
      group.addTask {
        do {
          return .success(try await self.http.stream(request) { chunk in self.heard(chunk, progress) })
        } catch {
          return .failure(error)
        }
      }
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: .milliseconds(250))
          if ContinuousClock.now - progress.lastByte.withLock({ $0 }) > silence { return nil }
        }
        return nil
      }
      // The first to end: the transfer (its result), or the watch (silence, or cancelled).
      let first = await group.next() ?? nil
      group.cancelAll()
      return first
    }
    guard let ended else { return .failed("silent for \(silence)") }
    let response: CurlHTTP.HTTPResponse
    do {
      response = try ended.get()
    } catch {
      return .failed("\(error)")
    }
    let body = progress.raw.withLock { $0 }
    if let fatal = refusal(response.status, body) { throw fatal }
    switch response.status {
    case 200: return .ended("the stream ended")
    // The route itself unknown (a server from before event streams): long-poll it.
    case 404, 405: return .noEvents
    default: return .failed("HTTP \(response.status): \(String(decoding: body.prefix(300), as: UTF8.self))")
    }
  }

  /// A chunk of an event stream, on the transfer's thread.
  private func heard(_ chunk: [UInt8], _ progress: StreamProgress) -> Bool {
    let now = ContinuousClock.now
    progress.lastByte.withLock { $0 = now }
    progress.raw.withLock { if $0.count < 4096 { $0.append(contentsOf: chunk.prefix(4096 - $0.count)) } }
    let (events, comments) = progress.parser.withLock { p in
      let before = p.comments
      return (p.feed(chunk), p.comments - before)
    }
    if comments > 0 { update { $0.confirmed(at: now) } }
    for e in events where e.event == "discovery" {
      if let d = try? DiscoveryView.decode(Array(e.data.utf8)) { update { $0.received(d, at: now) } }
    }
    return true
  }

  /// Long-polls one server until it fails; each answer (200 or 304) renews the lease as
  /// of when its request was sent.
  private func longPoll(_ server: String) async throws -> Outcome {
    var served = false
    while !Task.isCancelled {
      let lease = state?.document.leaseSeconds ?? DiscoveryView.defaultLeaseSeconds
      let wait = max(1, lease / 3)
      let epoch = state?.document.epoch ?? -1
      let sent = ContinuousClock.now
      let r: CurlHTTP.HTTPResponse
      do {
        r = try await http.get(
          "\(server)/v1/services/\(service)/discovery?wait=\(wait)&epoch=\(epoch)\(regionQuery("&"))", headers: headers,
          timeout: .seconds(wait + 5))
      } catch {
        return served ? .ended("\(error)") : .failed("\(error)")
      }
      switch r.status {
      case 200:
        guard let d = try? DiscoveryView.decode(r.body) else {
          return .failed("an answer that is not a discovery document")
        }
        served = true
        update { $0.received(d, at: sent) }
      case 304:
        served = true
        update { $0.confirmed(at: sent) }
      default:
        if let fatal = refusal(r.status, r.body) { throw fatal }
        let why = "HTTP \(r.status): \(String(decoding: r.body.prefix(300), as: UTF8.self))"
        return served ? .ended(why) : .failed(why)
      }
    }
    return .ended("cancelled")
  }

  private func regionQuery(_ lead: String) -> String {
    guard let region else { return "" }
    let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
    return "\(lead)region=\(region.addingPercentEncoding(withAllowedCharacters: allowed) ?? region)"
  }

  /// The answers that end following: an unknown service, a refused token, a region
  /// missing or unknown for an active-active service.
  private func refusal(_ status: Int, _ body: [UInt8]) -> FollowError? {
    let message =
      ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["message"] as? String
    switch status {
    case 404 where message?.hasPrefix("unknown service") == true:
      return FollowError(.unknownService, message!)
    case 401, 403:
      return FollowError(.refused, message ?? "HTTP \(status)")
    case 400 where message?.contains("region") == true:
      return FollowError(.region, message!)
    default:
      return nil
    }
  }
}

/// What one event stream has delivered so far, shared by its transfer and its watch.
final class StreamProgress: Sendable {
  let lastByte = Mutex(ContinuousClock.now)
  let parser = Mutex(EventStreamParser())
  /// The first bytes, for the message of an answer that is not a stream.
  let raw = Mutex([UInt8]())
}
