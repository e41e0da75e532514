import Orchestrator

/// The newest state of each service this instance has published to discovery: a state
/// read again (each follow window re-reads all of them) or an older one replayed is not
/// published again, so long-polls wake only for real changes.
struct ServedStates: Sendable {
  private var served: [String: ServiceState] = [:]

  /// True when `state` is news: a service not served yet, or a different state at the
  /// same or a newer epoch.
  mutating func admit(_ state: ServiceState) -> Bool {
    if let known = served[state.service], known == state || known.epoch > state.epoch { return false }
    served[state.service] = state
    return true
  }
}
