import CurlHTTP
import Foundation

/// What a client of the lab's traffic knows from discovery, kept current by long-polls
/// (`?wait=&epoch=`) as an application following the orchestrator would.
public actor DiscoveryFollower {
  public struct View: Sendable, Equatable {
    public let epoch: Int64
    public let cluster: String
    public let bootstrapServers: String
    public let writable: Bool
    public let produce: [String]
    public let consume: [String]
  }

  public let url: String
  public private(set) var view: View?
  private let http = HTTPClient(maxConcurrentRequests: 2)

  /// - Parameter url: `http://HOST:PORT/v1/services/NAME/discovery`.
  public init(url: String) { self.url = url }

  /// Long-polls until cancelled.
  public func run() async {
    while !Task.isCancelled {
      let epoch = view?.epoch ?? 0
      do {
        let r = try await http.get("\(url)?wait=30&epoch=\(epoch)", timeout: .seconds(40))
        if r.status == 200, let v = Self.parse(r.body) { view = v }
      } catch {
        try? await Task.sleep(for: .milliseconds(200))
      }
    }
  }

  /// Waits for the first document.
  public func current() async -> View {
    while view == nil { try? await Task.sleep(for: .milliseconds(50)) }
    return view!
  }

  static func parse(_ body: [UInt8]) -> View? {
    guard let doc = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
      let epoch = doc["epoch"] as? Int, let active = doc["active"] as? [String: Any],
      let topics = doc["topics"] as? [String: Any]
    else { return nil }
    return View(
      epoch: Int64(epoch), cluster: active["cluster"] as? String ?? "",
      bootstrapServers: active["bootstrapServers"] as? String ?? "", writable: active["writable"] as? Bool ?? true,
      produce: topics["produce"] as? [String] ?? [], consume: topics["consume"] as? [String] ?? [])
  }
}
