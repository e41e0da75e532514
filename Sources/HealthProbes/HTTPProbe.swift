import CurlHTTP
import Foundation

/// Any URL through libcurl: the status, the latency, and optionally a text the body must
/// contain. A transport error (refused, timed out, TLS) makes the subject unreachable; an
/// unexpected status or body makes it degraded.
public struct HTTPProbe: Sendable {
  public let subject: String
  public let url: String
  public let expectedStatus: ClosedRange<Int>
  public let bodyContains: String?
  public let timeout: Duration
  public let client: HTTPClient

  public init(
    subject: String, url: String, expectedStatus: ClosedRange<Int> = 200...299, bodyContains: String? = nil,
    timeout: Duration = .seconds(2), client: HTTPClient
  ) {
    self.subject = subject
    self.url = url
    self.expectedStatus = expectedStatus
    self.bodyContains = bodyContains
    self.timeout = timeout
    self.client = client
  }

  public func run() async -> ProbeResult {
    let watch = ProbeStopwatch(kind: .http, subject: subject)
    do {
      let response = try await client.send(
        HTTPRequest(url: url, connectTimeout: min(timeout, .seconds(2)), timeout: timeout))
      var reasons: [String] = []
      if !expectedStatus.contains(response.status) {
        reasons.append(
          "\(url) answered \(response.status), expected \(expectedStatus.lowerBound)-\(expectedStatus.upperBound)")
      }
      if let needle = bodyContains, !response.text.contains(needle) {
        reasons.append("\(url) body does not contain \"\(needle)\"")
      }
      return watch.result(reasons.isEmpty ? .healthy : .degraded, reasons)
    } catch {
      return watch.result(.unreachable, ["\(error)"])
    }
  }
}
