import CurlHTTP
import Foundation
import Synchronization

/// A change under a watched prefix.
public struct EtcdEvent: Decodable, Sendable, Equatable {
  /// Absent for a put (etcd leaves zero values out); "DELETE" for a delete.
  let type: String?
  public let kv: EtcdKeyValue

  public var isDelete: Bool { type == "DELETE" }
}

/// Why a watch ended without an error.
public enum EtcdWatchEnd: Sendable, Equatable {
  /// Its window passed: watch again from the next revision.
  case windowEnded
  /// The revision asked for has been compacted away: read everything again, then watch
  /// from the revision of that read.
  case compacted(Int64)
  /// The caller's `onEvents` asked to stop.
  case stopped
}

/// The gateway's stream: one JSON object per line, each a `result` or an `error`.
struct EtcdWatchMessage: Decodable {
  struct Result: Decodable {
    let header: EtcdHeader?
    let created: Bool?
    let canceled: Bool?
    let compact_revision: EtcdInt?
    let cancel_reason: String?
    let events: [EtcdEvent]?
  }
  struct Failure: Decodable {
    let message: String?
  }
  let result: Result?
  let error: Failure?
}

struct EtcdWatchCreate: Encodable {
  struct Create: Encodable {
    let key: EtcdBytes
    let range_end: EtcdBytes
    let start_revision: EtcdInt
  }
  let create_request: Create
}

extension EtcdClient {
  /// Watches every key under `prefix` from `revision` on, for at most `window` (then it
  /// ends, and the caller watches again from where it got to): `onEvents` gets each batch
  /// of changes with the revision they bring the caller to, and returns false to end the
  /// watch there (`.stopped`). A member that refuses the
  /// connection costs nothing (the next one is tried); a watch cut off mid-way throws,
  /// and the caller reads again.
  public func watch(
    prefix: String, from revision: Int64, window: Duration,
    onEvents: @escaping @Sendable (_ events: [EtcdEvent], _ revision: Int64) -> Bool
  ) async throws -> EtcdWatchEnd {
    let body = try JSONEncoder().encode(
      EtcdWatchCreate(
        create_request: .init(
          key: EtcdBytes(prefix), range_end: EtcdBytes(Self.rangeEnd(prefix)), start_revision: EtcdInt(revision))))
    var failures: [String] = []
    let start = preferredIndex
    for i in 0..<endpoints.count {
      let endpoint = endpoints[(start + i) % endpoints.count]
      let state = Mutex<(buffer: [UInt8], end: EtcdWatchEnd?, failure: String?)>(([], nil, nil))
      do {
        let response = try await watchHTTP.stream(
          HTTPRequest(
            method: .post, url: URLJoin.join(endpoint, "/v3/watch"),
            headers: [HTTPHeader("Content-Type", "application/json")], body: Array(body),
            connectTimeout: requestTimeout, timeout: window)
        ) { chunk in
          state.withLock { s in
            s.buffer += chunk
            while let newline = s.buffer.firstIndex(of: UInt8(ascii: "\n")) {
              let line = Array(s.buffer[..<newline])
              s.buffer.removeFirst(newline + 1)
              guard let message = try? JSONDecoder().decode(EtcdWatchMessage.self, from: Data(line)) else {
                s.failure = "undecodable watch answer: \(String(decoding: line.prefix(200), as: UTF8.self))"
                return false
              }
              if let error = message.error {
                s.failure = error.message ?? "watch failed"
                return false
              }
              guard let result = message.result else { continue }
              if result.canceled == true {
                if let compacted = result.compact_revision?.value, compacted > 0 {
                  s.end = .compacted(compacted)
                } else {
                  s.failure = "watch cancelled: \(result.cancel_reason ?? "no reason given")"
                }
                return false
              }
              if let events = result.events, !events.isEmpty {
                let reached = events.map { $0.kv.modRevision }.max() ?? revision
                if !onEvents(events, reached) {
                  s.end = .stopped
                  return false
                }
              }
            }
            return true
          }
        }
        let (end, failure) = state.withLock { ($0.end, $0.failure) }
        if let failure { throw EtcdError(.undecodable, "watch at \(endpoint): \(failure)") }
        guard response.status == 200 else {
          throw EtcdError(.refused(response.status), "watch at \(endpoint): HTTP \(response.status)")
        }
        return end ?? .windowEnded
      } catch let error as CurlError where [.connectionRefused, .unresolvable].contains(error.kind) {
        failures.append("\(endpoint): \(error)")
        continue
      } catch let error as CurlError {
        throw EtcdError(.unavailable, "watch at \(endpoint) cut off: \(error)")
      }
    }
    throw EtcdError(.unavailable, "no endpoint took the watch: " + failures.joined(separator: "; "))
  }
}
