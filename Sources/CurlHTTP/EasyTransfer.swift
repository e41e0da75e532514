import CCurl
import Foundation

/// Where a streamed response's body goes as it arrives, and whether to stop.
struct StreamSink {
  /// Gets each chunk; false ends the transfer.
  let onChunk: ([UInt8]) -> Bool
  /// Asked about once a second, even while nothing arrives; true ends the transfer.
  let stopped: () -> Bool
}

/// One request on an easy handle, performed synchronously on the calling thread.
final class EasyTransfer {
  private let request: HTTPRequest
  private let sink: StreamSink?
  private var status = 0
  private var headers: [HTTPHeader] = []
  private var body: [UInt8] = []
  /// Set when the sink ended the transfer: a normal end for a stream.
  fileprivate var stoppedBySink = false

  init(_ request: HTTPRequest, sink: StreamSink? = nil) {
    self.request = request
    self.sink = sink
  }

  /// - Parameter handle: an easy handle with no options set (new or reset); the
  ///   transfer leaves its options set, not reset.
  func perform(on handle: UnsafeMutableRawPointer) throws -> HTTPResponse {
    var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    var headerList: UnsafeMutablePointer<curl_slist>? = nil
    defer { curl_slist_free_all(headerList) }
    // Without this, libcurl adds "Expect: 100-continue" to larger bodies and waits a second.
    for line in request.headers.map({ "\($0.name): \($0.value)" }) + ["Expect:"] {
      headerList = curl_slist_append(headerList, line)
    }
    let me = Unmanaged.passUnretained(self).toOpaque()
    let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errbuf in
      withBody { bodyPointer, bodyCount in
        configure(handle, errorBuffer: errbuf.baseAddress!, headers: headerList, me: me)
        if let bodyPointer {
          _ = ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyCount))
          _ = ccurl_setopt_ptr(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: bodyPointer))
        }
        return curl_easy_perform(handle)
      }
    }
    var responseCode = 0
    _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &responseCode)
    // A stream ends at its timeout or when its sink says so: that is its normal end.
    let streamEnded =
      sink != nil && responseCode != 0
      && (code == CURLE_OPERATION_TIMEDOUT
        || (stoppedBySink && [CURLE_WRITE_ERROR, CURLE_ABORTED_BY_CALLBACK].contains(code)))
    guard code == CURLE_OK || streamEnded else {
      let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      throw CurlError(code, detail: detail, url: request.url)
    }
    var seconds = 0.0
    _ = ccurl_getinfo_double(handle, CURLINFO_TOTAL_TIME, &seconds)
    return HTTPResponse(
      status: responseCode, headers: headers, body: body, totalTime: .microseconds(Int64(seconds * 1_000_000)))
  }

  private func withBody<R>(_ body: (UnsafeRawPointer?, Int) -> R) -> R {
    guard let bytes = request.body else { return body(nil, 0) }
    // An empty array may have no base address; libcurl still needs a valid pointer.
    if bytes.isEmpty { return [UInt8(0)].withUnsafeBytes { body($0.baseAddress, 0) } }
    return bytes.withUnsafeBytes { body($0.baseAddress, $0.count) }
  }

  private func configure(
    _ h: UnsafeMutableRawPointer, errorBuffer: UnsafeMutablePointer<CChar>,
    headers: UnsafeMutablePointer<curl_slist>?, me: UnsafeMutableRawPointer
  ) {
    _ = ccurl_setopt_str(h, CURLOPT_URL, request.url)
    // Signals cannot be used for timeouts in a multi-threaded process.
    _ = ccurl_setopt_long(h, CURLOPT_NOSIGNAL, 1)
    _ = ccurl_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(request.connectTimeout.milliseconds))
    _ = ccurl_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(request.timeout.milliseconds))
    _ = ccurl_setopt_ptr(h, CURLOPT_ERRORBUFFER, errorBuffer)
    _ = ccurl_setopt_slist(h, CURLOPT_HTTPHEADER, headers)
    _ = ccurl_setopt_long(h, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
    _ = ccurl_setopt_long(h, CURLOPT_MAXREDIRS, 5)
    _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYPEER, request.tls.verifyPeer ? 1 : 0)
    _ = ccurl_setopt_long(h, CURLOPT_SSL_VERIFYHOST, request.tls.verifyHost ? 2 : 0)
    if let ca = request.tls.caFile { _ = ccurl_setopt_str(h, CURLOPT_CAINFO, ca) }
    if let cert = request.tls.clientCertificateFile { _ = ccurl_setopt_str(h, CURLOPT_SSLCERT, cert) }
    if let key = request.tls.clientKeyFile { _ = ccurl_setopt_str(h, CURLOPT_SSLKEY, key) }
    switch request.method {
    case .get: break
    case .head: _ = ccurl_setopt_long(h, CURLOPT_NOBODY, 1)
    case .post: _ = ccurl_setopt_long(h, CURLOPT_POST, 1)
    case .put, .delete, .patch: _ = ccurl_setopt_str(h, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
    }
    _ = ccurl_setopt_data_cb(h, CURLOPT_WRITEFUNCTION, writeCallback)
    _ = ccurl_setopt_ptr(h, CURLOPT_WRITEDATA, me)
    _ = ccurl_setopt_data_cb(h, CURLOPT_HEADERFUNCTION, headerCallback)
    _ = ccurl_setopt_ptr(h, CURLOPT_HEADERDATA, me)
    if sink != nil {
      _ = ccurl_setopt_long(h, CURLOPT_NOPROGRESS, 0)
      _ = ccurl_setopt_xferinfo_cb(h, progressCallback)
      _ = ccurl_setopt_ptr(h, CURLOPT_XFERINFODATA, me)
    }
  }

  /// False when a streaming sink wants no more.
  fileprivate func appendBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let sink else {
      body.append(contentsOf: bytes)
      return true
    }
    if sink.onChunk(Array(bytes)) { return true }
    stoppedBySink = true
    return false
  }

  fileprivate func shouldStop() -> Bool {
    guard let sink, sink.stopped() else { return false }
    stoppedBySink = true
    return true
  }

  /// One header line as libcurl hands it over (with its line break), read as bytes: the
  /// Foundation trimming it replaced was 6 % of the prober's CPU.
  fileprivate func appendHeaderLine(_ line: UnsafeRawBufferPointer) {
    func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
    guard let first = line.firstIndex(where: { !blank($0) }),
      let last = line.lastIndex(where: { !blank($0) })
    else { return }
    let trimmed = UnsafeRawBufferPointer(rebasing: line[first...last])
    if trimmed.starts(with: "HTTP/".utf8) {
      // A new status line (after a redirect or a 100 Continue) starts a new header set.
      headers = []
      return
    }
    guard let colon = trimmed.firstIndex(of: UInt8(ascii: ":")) else { return }
    let name = String(decoding: UnsafeRawBufferPointer(rebasing: trimmed[..<colon]), as: UTF8.self)
    let value = trimmed[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }
    headers.append(HTTPHeader(name, String(decoding: UnsafeRawBufferPointer(rebasing: value), as: UTF8.self)))
  }
}

private let writeCallback: ccurl_data_cb = { data, size, count, user in
  guard let data, let user else { return 0 }
  let transfer = Unmanaged<EasyTransfer>.fromOpaque(user).takeUnretainedValue()
  return transfer.appendBody(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
}

private let progressCallback: ccurl_xferinfo_cb = { user, _, _, _, _ in
  guard let user else { return 0 }
  return Unmanaged<EasyTransfer>.fromOpaque(user).takeUnretainedValue().shouldStop() ? 1 : 0
}

private let headerCallback: ccurl_data_cb = { data, size, count, user in
  guard let data, let user else { return 0 }
  let transfer = Unmanaged<EasyTransfer>.fromOpaque(user).takeUnretainedValue()
  transfer.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
  return size * count
}

extension Duration {
  var milliseconds: Int64 {
    max(1, Int64(self / .milliseconds(1)))
  }
}
