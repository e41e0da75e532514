import Foundation
import HealthProbes

/// The live health model of a running service, fed by its probes.
public actor HealthBoard {
  private var model: HealthModel
  private var seen: Set<String> = []
  private let expected: Set<String>

  /// - Parameter expected: the `kind/subject` of every scheduled probe; the board is
  ///   ready once each has reported once.
  public init(model: HealthModel, expected: [String]) {
    self.model = model
    self.expected = Set(expected)
  }

  public func observe(_ r: ProbeResult) {
    model.observe(r)
    seen.insert(Self.key(r.kind, r.subject))
  }

  /// A subject's judgement; nil before any probe of it reported.
  public func health(of subject: String) -> SubjectHealth? {
    model.subjects.contains { $0.subject == subject } ? model.health(of: subject) : nil
  }

  public func health(of subject: String, kind: String) -> (state: HealthState, since: Date?)? {
    model.health(of: subject, kind: kind)
  }

  /// Probes that have not reported yet.
  public var pending: [String] { expected.subtracting(seen).sorted() }

  static func key(_ kind: String, _ subject: String) -> String { "\(kind)/\(subject)" }
}
