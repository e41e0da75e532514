import CCurl
import NIOPosix
import Synchronization

/// libcurl's process-wide setup, which must happen once before any handle is created
/// and is not thread-safe itself; a global `let` is initialised exactly once.
private let curlGlobalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// HTTP through libcurl's easy interface, with a bounded number of transfers in flight.
///
/// Each transfer blocks a thread of this client's own pool (never a thread of Swift's
/// cooperative pool); the pool's size is the concurrency bound, and further requests
/// wait for a free thread.
public final class HTTPClient: Sendable {
  private let pool: NIOThreadPool
  private let handles = EasyHandles()

  public init(maxConcurrentRequests: Int = 8) {
    precondition(curlGlobalInit == CURLE_OK, "curl_global_init failed")
    pool = NIOThreadPool(numberOfThreads: max(1, maxConcurrentRequests))
    pool.start()
  }

  deinit {
    pool.shutdownGracefully { _ in }
  }

  public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    try await pool.runIfActive { [handles] in
      try handles.with(url: request.url) { try EasyTransfer(request).perform(on: $0) }
    }
  }

  /// Streams the response body to `onChunk` as it arrives (on this client's thread),
  /// until the server ends it, `request.timeout` passes, `onChunk` returns false or the
  /// calling task is cancelled; each is a normal end. Returns the status and headers (the
  /// body went to `onChunk`). For long-lived answers: a watch, server-sent events.
  public func stream(_ request: HTTPRequest, onChunk: @escaping @Sendable ([UInt8]) -> Bool) async throws
    -> HTTPResponse
  {
    let cancelled = Mutex(false)
    return try await withTaskCancellationHandler {
      try await pool.runIfActive { [handles] in
        try handles.with(url: request.url) {
          try EasyTransfer(request, sink: StreamSink(onChunk: onChunk, stopped: { cancelled.withLock { $0 } }))
            .perform(on: $0)
        }
      }
    } onCancel: {
      cancelled.withLock { $0 = true }
    }
  }

  public func get(_ url: String, headers: [HTTPHeader] = [], timeout: Duration = .seconds(5)) async throws
    -> HTTPResponse
  {
    try await send(HTTPRequest(method: .get, url: url, headers: headers, timeout: timeout))
  }

  public func post(
    _ url: String, body: [UInt8], headers: [HTTPHeader] = [], timeout: Duration = .seconds(5)
  ) async throws -> HTTPResponse {
    try await send(HTTPRequest(method: .post, url: url, headers: headers, body: body, timeout: timeout))
  }

  public func put(
    _ url: String, body: [UInt8], headers: [HTTPHeader] = [], timeout: Duration = .seconds(5)
  ) async throws -> HTTPResponse {
    try await send(HTTPRequest(method: .put, url: url, headers: headers, body: body, timeout: timeout))
  }

  public func delete(_ url: String, headers: [HTTPHeader] = [], timeout: Duration = .seconds(5)) async throws
    -> HTTPResponse
  {
    try await send(HTTPRequest(method: .delete, url: url, headers: headers, timeout: timeout))
  }
}
