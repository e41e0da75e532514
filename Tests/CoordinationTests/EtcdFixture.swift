import Etcd
import Foundation
import KafkaLab
import Logging
import Orchestrator

/// Real etcd members, and orchestrator-side pieces (a client, a leader, a store) per
/// simulated instance, each under its own key prefix so tests never see each other.
struct EtcdFixture {
  let members: EtcdMembers
  let prefix = "/failoverctl-test/\(UUID().uuidString)/"

  init(count: Int = 3) async throws { members = try await EtcdMembers(count: count) }

  func client(_ endpoints: [String]? = nil) -> EtcdClient {
    EtcdClient(endpoints: endpoints ?? members.endpoints, requestTimeout: .milliseconds(700))
  }

  func leader(_ name: String, ttl: Duration = .seconds(3), client: EtcdClient? = nil) -> EtcdLeader {
    EtcdLeader(
      client: client ?? self.client(), prefix: prefix,
      me: ControlPlaneMember(instance: name, region: "r-\(name)", url: "http://\(name):8080"), ttl: ttl,
      logger: Logger(label: "test.\(name)"))
  }

  func store(_ leader: EtcdLeader, client: EtcdClient? = nil) -> EtcdCoordinationStore {
    EtcdCoordinationStore(client: client ?? self.client(), prefix: prefix, leader: leader)
  }

  /// Steps `leader` until it leads or `timeout` passes.
  static func lead(_ leader: EtcdLeader, within timeout: Duration = .seconds(10)) async -> Leadership {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
      await leader.step()
      let l = await leader.leadership
      if l.isLeader { return l }
      try? await Task.sleep(for: .milliseconds(100))
    }
    return await leader.leadership
  }
}
