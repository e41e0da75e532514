import CurlHTTP
import Foundation
import KafkaConnect
import Logging
import Topology

/// The policies' webhooks (`action.notify`): a JSON body to every hook of the service's
/// policy that listens for the event. Fire and forget: a slow or failing hook never holds a
/// failover or a drill up; failures are logged. The leader's fencing token goes along, as
/// with Connect, so that a receiver can refuse a deposed leader's call.
public struct PolicyWebhooks: Sendable {
  let topology: Topology
  let policies: [String: Policy]
  let http: HTTPClient
  let store: any CoordinationStore
  let logger: Logger

  public init(
    topology: Topology, policies: [String: Policy], http: HTTPClient, store: any CoordinationStore, logger: Logger
  ) {
    self.topology = topology
    self.policies = policies
    self.http = http
    self.store = store
    self.logger = logger
  }

  /// Sends `body` for `event` of `service`; `what` names it in a log line.
  public func send(_ event: WebhookEvent, service: String, what: String, _ body: some Encodable) {
    guard let name = topology.service(service)?.policy, let policy = policies[name] else { return }
    let hooks = policy.action.webhooks.filter { $0.events.isEmpty || $0.events.contains(event) }
    guard !hooks.isEmpty, let bytes = try? JSONCoding.encoder().encode(body) else { return }
    let (http, logger, store) = (self.http, self.logger, self.store)
    for hook in hooks {
      Task {
        do {
          // A pending event may come from any instance: no token then.
          var headers = [HTTPHeader("Content-Type", "application/json")]
          if case .leader(let token) = try? await store.leadership() {
            headers.append(HTTPHeader(ConnectREST.fencingTokenHeader, String(token)))
          }
          let r = try await http.post(hook.url, body: Array(bytes), headers: headers, timeout: .seconds(5))
          if !(200..<300).contains(r.status) { logger.warning("webhook \(hook.url) answered \(r.status) to \(event)") }
        } catch {
          logger.warning("webhook \(hook.url) for \(event) of \(what): \(error)")
        }
      }
    }
  }
}
