import Foundation

/// A five-field cron expression (minute hour day-of-month month day-of-week, in UTC), as
/// crontab(5) reads it: `*`, numbers, ranges `a-b`, lists `a,b` and steps `*/n` or `a-b/n`;
/// day of week 0–7 with 0 and 7 both Sunday; when both day fields are restricted, a day
/// matching either one fires (Vixie cron's rule).
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
  public let description: String
  let minutes: Set<Int>
  let hours: Set<Int>
  let days: Set<Int>
  let months: Set<Int>
  let weekdays: Set<Int>
  let daysRestricted: Bool
  let weekdaysRestricted: Bool

  /// Why an expression is not a schedule, naming the field.
  public struct ParseError: Error, Equatable, CustomStringConvertible {
    public let description: String
  }

  public init(_ text: String) throws(ParseError) {
    let fields = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    guard fields.count == 5 else {
      throw ParseError(
        description: "expected five fields (minute hour day-of-month month day-of-week), found \(fields.count)")
    }
    description = fields.joined(separator: " ")
    minutes = try Self.field(fields[0], "minute", 0...59)
    hours = try Self.field(fields[1], "hour", 0...23)
    days = try Self.field(fields[2], "day-of-month", 1...31)
    months = try Self.field(fields[3], "month", 1...12)
    weekdays = Set(try Self.field(fields[4], "day-of-week", 0...7).map { $0 % 7 })
    daysRestricted = !fields[2].hasPrefix("*")
    weekdaysRestricted = !fields[4].hasPrefix("*")
  }

  private static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>) throws(ParseError) -> Set<Int> {
    var out = Set<Int>()
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
      guard (1...2).contains(pieces.count) else { throw bad(name, text, range) }
      var step = 1
      if pieces.count == 2 {
        guard let s = Int(pieces[1]), s > 0 else { throw bad(name, text, range) }
        step = s
      }
      let base = pieces[0]
      var lower = range.lowerBound
      var upper = range.upperBound
      if base != "*" {
        let bounds = base.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), let a = Int(bounds[0]), let b = Int(bounds.last!), range.contains(a),
          range.contains(b), a <= b
        else { throw bad(name, text, range) }
        lower = a
        // `a/n` means from a to the end, as cron reads it.
        upper = bounds.count == 1 && pieces.count == 1 ? a : b
        if bounds.count == 1 && pieces.count == 2 { upper = range.upperBound }
      }
      out.formUnion(stride(from: lower, through: upper, by: step))
    }
    return out
  }

  private static func bad(_ name: String, _ text: String, _ range: ClosedRange<Int>) -> ParseError {
    ParseError(
      description:
        "\(name) \"\(text)\": expected *, a number \(range.lowerBound)-\(range.upperBound), a range a-b, a list a,b or a step */n"
    )
  }

  private static let calendar: Calendar = {
    var c = Calendar(identifier: .gregorian)
    c.timeZone = TimeZone(identifier: "UTC")!
    return c
  }()

  /// Whether the minute of `date` (UTC) is one the schedule fires in.
  public func matches(_ date: Date) -> Bool {
    let c = Self.calendar.dateComponents([.minute, .hour, .day, .month, .weekday], from: date)
    guard let minute = c.minute, let hour = c.hour, let day = c.day, let month = c.month, let weekday = c.weekday
    else { return false }
    guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
    let dayOK = days.contains(day)
    let weekdayOK = weekdays.contains(weekday - 1)
    if daysRestricted && weekdaysRestricted { return dayOK || weekdayOK }
    return dayOK && weekdayOK
  }

  /// The first firing minute strictly after `date`; nil when none comes within five years
  /// (`0 0 30 2 *`, February 30th).
  public func next(after date: Date) -> Date? {
    var t = Self.calendar.dateInterval(of: .minute, for: date)!.start.addingTimeInterval(60)
    let limit = date.addingTimeInterval(5 * 366 * 86_400)
    while t < limit {
      let c = Self.calendar.dateComponents([.month, .day, .hour], from: t)
      // Skip whole months, days and hours that cannot match before testing minutes.
      if !months.contains(c.month!) {
        t = Self.calendar.date(byAdding: .month, value: 1, to: Self.calendar.dateInterval(of: .month, for: t)!.start)!
        continue
      }
      if !dayMatches(t) {
        t = Self.calendar.date(byAdding: .day, value: 1, to: Self.calendar.dateInterval(of: .day, for: t)!.start)!
        continue
      }
      if !hours.contains(c.hour!) {
        t = Self.calendar.date(byAdding: .hour, value: 1, to: Self.calendar.dateInterval(of: .hour, for: t)!.start)!
        continue
      }
      if matches(t) { return t }
      t = t.addingTimeInterval(60)
    }
    return nil
  }

  /// The last firing minute at or before `date`, looking back at most `within` seconds.
  public func previous(atOrBefore date: Date, within: TimeInterval) -> Date? {
    let cal = Self.calendar
    var t = cal.dateInterval(of: .minute, for: date)!.start
    let limit = date.addingTimeInterval(-within)
    while t >= limit {
      let c = cal.dateComponents([.month, .hour], from: t)
      // Skip whole months, days and hours that cannot match: to the last minute before them.
      if !months.contains(c.month!) {
        t = cal.dateInterval(of: .month, for: t)!.start.addingTimeInterval(-60)
        continue
      }
      if !dayMatches(t) {
        t = cal.dateInterval(of: .day, for: t)!.start.addingTimeInterval(-60)
        continue
      }
      if !hours.contains(c.hour!) {
        t = cal.dateInterval(of: .hour, for: t)!.start.addingTimeInterval(-60)
        continue
      }
      if matches(t) { return t }
      t = t.addingTimeInterval(-60)
    }
    return nil
  }

  private func dayMatches(_ t: Date) -> Bool {
    let c = Self.calendar.dateComponents([.day, .weekday], from: t)
    let dayOK = days.contains(c.day!)
    let weekdayOK = weekdays.contains(c.weekday! - 1)
    if daysRestricted && weekdaysRestricted { return dayOK || weekdayOK }
    return dayOK && weekdayOK
  }
}
