import Foundation

/// When a policy's schedule wants a drill, and whether one is overdue, from the schedule,
/// the time and the service's drill history alone: pure, tested with fixed dates.
public enum DrillCalendar {
  /// The scheduled instant a drill is due for at `now` (within the window), unless a drill
  /// already started for it (a refused one does not count: it is tried again).
  public static func due(_ settings: DrillSettings, now: Date, history: [DrillRecord]) -> Date? {
    guard let schedule = settings.schedule,
      let due = schedule.previous(atOrBefore: now, within: seconds(settings.window))
    else { return nil }
    return history.contains { $0.createdAt >= due && $0.status != .refused } ? nil : due
  }

  /// Whether the last scheduled instant whose window has closed went without a passed drill.
  /// An instant from before both `started` (this process) and the oldest drill on record does
  /// not count: a new installation is not overdue for the weeks before it existed.
  public static func overdue(_ settings: DrillSettings, now: Date, started: Date, history: [DrillRecord]) -> Bool {
    // At most 32 days back: a monthly schedule's last instant.
    guard let schedule = settings.schedule,
      let closed = schedule.previous(
        atOrBefore: now.addingTimeInterval(-seconds(settings.window)), within: 32 * 86_400)
    else { return false }
    let since = min(started, history.map(\.createdAt).min() ?? started)
    guard closed >= since else { return false }
    return !history.contains { $0.createdAt >= closed && $0.status == .passed }
  }

  static func seconds(_ d: Duration) -> TimeInterval { Double(d / .milliseconds(1)) / 1000 }
}
