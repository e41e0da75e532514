import CurlHTTP
import Foundation

/// Scrapes a Prometheus text endpoint, selects a metric by name and labels, and compares
/// every selected sample with a threshold, e.g. MM2's
/// `kafka_connect_mirror_source_connector_replication_latency_ms_max > 30000` or a broker's
/// `kafka_server_replicamanager_underreplicatedpartitions > 0`. A malformed page is a
/// probe failure naming the line, never a crash.
public struct PrometheusProbe: Sendable {
  public enum Comparison: String, Sendable, Codable, CaseIterable {
    case greaterThan = ">"
    case greaterOrEqual = ">="
    case lessThan = "<"
    case lessOrEqual = "<="
    case equal = "=="
    case notEqual = "!="

    func holds(_ value: Double, _ threshold: Double) -> Bool {
      switch self {
      case .greaterThan: value > threshold
      case .greaterOrEqual: value >= threshold
      case .lessThan: value < threshold
      case .lessOrEqual: value <= threshold
      case .equal: value == threshold
      case .notEqual: value != threshold
      }
    }
  }

  public let subject: String
  public let url: String
  public let metric: String
  public let labels: [String: String]
  /// The subject is degraded when a sample's value `alertWhen` the threshold.
  public let alertWhen: Comparison
  public let threshold: Double
  public let timeout: Duration
  public let client: HTTPClient

  public init(
    subject: String, url: String, metric: String, labels: [String: String] = [:], alertWhen: Comparison,
    threshold: Double, timeout: Duration = .seconds(2), client: HTTPClient
  ) {
    self.subject = subject
    self.url = url
    self.metric = metric
    self.labels = labels
    self.alertWhen = alertWhen
    self.threshold = threshold
    self.timeout = timeout
    self.client = client
  }

  public func run() async -> ProbeResult {
    let result = ProbeStopwatch(kind: .prometheus, subject: subject).result
    let response: HTTPResponse
    do {
      response = try await client.send(
        HTTPRequest(url: url, connectTimeout: min(timeout, .seconds(2)), timeout: timeout))
    } catch {
      return result(.unreachable, ["\(error)"])
    }
    guard (200...299).contains(response.status) else {
      return result(.degraded, ["\(url) answered \(response.status)"])
    }
    let page: PrometheusPage
    do { page = try PrometheusText.parse(response.text) } catch {
      return result(.degraded, ["\(url) is not valid exposition text: \(error)"])
    }
    let selected = page.select(metric, labels: labels)
    guard !selected.isEmpty else { return result(.degraded, ["\(selector) not found at \(url)"]) }
    let reasons = selected.compactMap { s -> String? in
      if s.value.isNaN { return "\(describe(s)) is NaN" }
      return alertWhen.holds(s.value, threshold)
        ? "\(describe(s)) = \(s.value) \(alertWhen.rawValue) \(threshold)" : nil
    }
    return result(reasons.isEmpty ? .healthy : .degraded, reasons)
  }

  private var selector: String { Self.series(metric, labels) }

  private func describe(_ s: PrometheusSample) -> String { Self.series(s.name, s.labels) }

  /// `name{a="1",b="2"}`, as the exposition format writes a series.
  private static func series(_ name: String, _ labels: [String: String]) -> String {
    guard !labels.isEmpty else { return name }
    return "\(name){\(labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ","))}"
  }
}
