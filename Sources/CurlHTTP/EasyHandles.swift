import CCurl
import Synchronization

/// A libcurl easy handle kept from one transfer to the next: its connection cache keeps
/// connections to a server open between requests (keep-alive) and its DNS cache warm.
/// Probing 1,000 endpoints every 2 s on a new handle each time spent about a sixth of the
/// prober's CPU connecting and closing sockets (bench/README.md, probes).
final class EasyHandle: @unchecked Sendable {
  // Sendable by hand: the handle moves between the pool's threads, but `EasyHandles`
  // gives it to one transfer at a time and takes it back only after that transfer ended.
  let raw: UnsafeMutableRawPointer

  init?() {
    guard let raw = curl_easy_init() else { return nil }
    self.raw = raw
  }

  deinit { curl_easy_cleanup(raw) }
}

/// The idle handles of one client: at most one per thread of its pool, since a thread
/// holds one only while it transfers.
final class EasyHandles: Sendable {
  private let idle = Mutex<[EasyHandle]>([])

  /// Runs `body` on an idle handle (a new one when none is idle), then resets its options
  /// — not its open connections — and keeps it for the next transfer.
  func with<R>(url: String, _ body: (UnsafeMutableRawPointer) throws -> R) throws -> R {
    guard let handle = idle.withLock({ $0.popLast() }) ?? EasyHandle() else {
      throw CurlError(CURLE_FAILED_INIT, detail: "curl_easy_init returned nothing", url: url)
    }
    defer {
      curl_easy_reset(handle.raw)
      idle.withLock { $0.append(handle) }
    }
    return try body(handle.raw)
  }
}
