import CurlHTTP
import Foundation
import Synchronization

/// etcd's v3 API through its JSON gateway over libcurl. Each request has a short timeout
/// and is tried on every endpoint in turn, starting with the one that answered last: a
/// dead member costs one timeout, then the others carry on. Reads are linearizable (the
/// gateway's default): decisions are never made on a serializable read.
public final class EtcdClient: Sendable {
  public let endpoints: [String]
  let http: HTTPClient
  /// Watches hold a thread each for their whole window: apart, so that they never take
  /// the threads the short requests need (a coordinated instance holds two at once: the
  /// services' states and, following, the leader key).
  let watchHTTP = HTTPClient(maxConcurrentRequests: 4)
  let requestTimeout: Duration
  let retryWindow: Duration
  private let preferred = Mutex(0)
  private let sent = Mutex(0)

  /// Requests sent so far (every attempt on every endpoint): etcd traffic, for benchmarks.
  public var requestsSent: Int { sent.withLock { $0 } }

  /// - Parameter retryWindow: how long a read keeps trying the endpoints (an election
  ///   takes about a second with etcd's default timings).
  public init(
    endpoints: [String], requestTimeout: Duration = .seconds(1), retryWindow: Duration = .seconds(3),
    http: HTTPClient? = nil
  ) {
    precondition(!endpoints.isEmpty, "etcd needs at least one endpoint")
    self.endpoints = endpoints.map(URLJoin.trimmed)
    self.requestTimeout = requestTimeout
    self.retryWindow = retryWindow
    self.http = http ?? HTTPClient(maxConcurrentRequests: 16)
  }

  /// The endpoint that answered last.
  public var current: String { endpoints[preferredIndex] }
  var preferredIndex: Int { preferred.withLock { $0 } }

  /// Sends one request. A read (`idempotent`) goes round the endpoints again until
  /// `retryWindow` has passed: an election after a member's death takes a moment. A write
  /// moves to the next endpoint only when it provably never reached a member (connection
  /// refused, unresolvable): after a timeout or "leader changed" it may have been applied,
  /// and sending it again could apply it twice, so that is reported, not retried.
  func call<Body: Encodable, Answer: Decodable>(
    _ path: String, _ body: Body, as: Answer.Type, idempotent: Bool = true
  ) async throws -> Answer {
    let data = try JSONEncoder().encode(body)
    let deadline = ContinuousClock.now + retryWindow
    var failures: [String] = []
    repeat {
      let start = preferred.withLock { $0 }
      for i in 0..<endpoints.count {
        let index = (start + i) % endpoints.count
        let endpoint = endpoints[index]
        let response: HTTPResponse
        sent.withLock { $0 += 1 }
        do {
          response = try await http.send(
            HTTPRequest(
              method: .post, url: URLJoin.join(endpoint, path),
              headers: [HTTPHeader("Content-Type", "application/json")], body: Array(data),
              connectTimeout: requestTimeout, timeout: requestTimeout))
        } catch let error as CurlError {
          failures.append("\(endpoint): \(error)")
          if idempotent || [.connectionRefused, .unresolvable].contains(error.kind) { continue }
          throw EtcdError(.unavailable, "\(path) at \(endpoint) may or may not have been applied: \(error)")
        }
        // 503 and 504: the member has no leader or timed out; another member may do better.
        if response.status == 503 || response.status == 504 {
          failures.append("\(endpoint): HTTP \(response.status) \(Self.message(response))")
          if idempotent { continue }
          throw EtcdError(
            .unavailable, "\(path) at \(endpoint) may or may not have been applied: \(Self.message(response))")
        }
        guard response.status == 200 else {
          throw EtcdError(.refused(response.status), "\(path) at \(endpoint): \(Self.message(response))")
        }
        preferred.withLock { $0 = index }
        do {
          return try JSONDecoder().decode(Answer.self, from: Data(response.body))
        } catch {
          throw EtcdError(.undecodable, "\(path) at \(endpoint): \(error)")
        }
      }
      if idempotent { try await Task.sleep(for: .milliseconds(100)) }
    } while idempotent && ContinuousClock.now < deadline
    throw EtcdError(
      .unavailable, "no endpoint answered \(path): " + failures.suffix(endpoints.count).joined(separator: "; "))
  }

  static func message(_ response: HTTPResponse) -> String {
    let body = try? JSONDecoder().decode(EtcdErrorBody.self, from: Data(response.body))
    return body?.message ?? body?.error ?? String(decoding: response.body.prefix(200), as: UTF8.self)
  }

  // MARK: KV

  public func range(_ request: EtcdRangeRequest) async throws -> EtcdRangeResponse {
    try await call("/v3/kv/range", request, as: EtcdRangeResponse.self)
  }

  /// The key, or nil.
  public func get(_ key: String) async throws -> EtcdKeyValue? {
    try await range(EtcdRangeRequest(key: EtcdBytes(key))).values.first
  }

  /// Every key under `prefix`, in key order (or as `sortTarget` says).
  public func prefix(
    _ prefix: String, limit: Int64? = nil, descending: Bool = false, sortTarget: String? = nil,
    maxCreateRevision: Int64? = nil
  ) async throws -> [EtcdKeyValue] {
    try await range(
      EtcdRangeRequest(
        key: EtcdBytes(prefix), rangeEnd: EtcdBytes(Self.rangeEnd(prefix)), limit: limit,
        sortOrder: descending ? "DESCEND" : (sortTarget == nil ? nil : "ASCEND"), sortTarget: sortTarget,
        maxCreateRevision: maxCreateRevision)
    ).values
  }

  /// Every key under `prefix` and the store's revision at that read: a watch from the
  /// next revision misses nothing.
  public func snapshot(_ prefix: String) async throws -> (values: [EtcdKeyValue], revision: Int64) {
    let answer = try await range(EtcdRangeRequest(key: EtcdBytes(prefix), rangeEnd: EtcdBytes(Self.rangeEnd(prefix))))
    return (answer.values, answer.header?.revision?.value ?? 0)
  }

  struct PutAnswer: Decodable { let header: EtcdHeader? }

  @discardableResult
  public func put(_ key: String, _ value: String, lease: Int64? = nil) async throws -> Int64 {
    try await call(
      "/v3/kv/put", EtcdPutRequest(key: EtcdBytes(key), value: EtcdBytes(value), lease: lease), as: PutAnswer.self,
      idempotent: false
    ).header?.revision?.value ?? 0
  }

  public func txn(_ request: EtcdTxnRequest) async throws -> EtcdTxnResponse {
    try await call("/v3/kv/txn", request, as: EtcdTxnResponse.self, idempotent: false)
  }

  /// The end of the range of every key that starts with `prefix`: the prefix with its
  /// last byte incremented.
  static func rangeEnd(_ prefix: String) -> [UInt8] {
    var bytes = Array(prefix.utf8)
    while let last = bytes.last {
      if last < 0xFF {
        bytes[bytes.count - 1] = last + 1
        return bytes
      }
      bytes.removeLast()
    }
    return [0]
  }

  // MARK: Leases

  /// A new lease of `ttl` seconds; its id.
  public func grant(ttl: Int64) async throws -> Int64 {
    let answer = try await call("/v3/lease/grant", EtcdLeaseGrant(TTL: EtcdInt(ttl)), as: EtcdLeaseGrantResponse.self)
    guard let id = answer.ID?.value, id != 0 else {
      throw EtcdError(.undecodable, "lease grant answered no ID (\(answer.error ?? "no error given"))")
    }
    return id
  }

  /// Renews a lease once; its remaining TTL, or nil when it has expired (etcd then leaves
  /// the TTL out of the answer).
  public func keepAlive(_ id: Int64) async throws -> Int64? {
    let answer = try await call("/v3/lease/keepalive", EtcdLeaseID(ID: EtcdInt(id)), as: EtcdKeepAliveResponse.self)
    guard let ttl = answer.result?.TTL?.value, ttl > 0 else { return nil }
    return ttl
  }

  struct Empty: Decodable {}

  public func revoke(_ id: Int64) async throws {
    _ = try await call("/v3/lease/revoke", EtcdLeaseID(ID: EtcdInt(id)), as: Empty.self)
  }
}
