/// Whether this orchestrator may act, and the token its actions carry.
public enum Leadership: Sendable, Equatable {
  /// This instance leads; `token` only grows from one leader to the next (etcd: the
  /// leader key's create revision; standalone: always 1).
  case leader(token: Int64)
  /// Another instance leads (or none does yet): observe, serve discovery, never act.
  case follower(leader: String?)

  public var isLeader: Bool { if case .leader = self { true } else { false } }
}
