import Foundation

/// One orchestrator of a coordinated control plane, as the others see it.
public struct ControlPlaneMember: Sendable, Equatable, Codable {
  public let instance: String
  public let region: String
  /// Where its API answers.
  public let url: String

  public init(instance: String, region: String, url: String) {
    self.instance = instance
    self.region = region
    self.url = url
  }
}
