import Foundation

/// The one way every JSON this project writes or reads carries dates: ISO 8601 in UTC
/// with milliseconds (`2026-12-02T04:08:35.215Z`), so a step that took 215 ms shows it.
/// Reading also accepts whole seconds, as older servers wrote them.
public enum JSONCoding {
  static let withMilliseconds = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
  static let wholeSeconds = Date.ISO8601FormatStyle()

  public static func encoder(_ formatting: JSONEncoder.OutputFormatting = [.sortedKeys, .withoutEscapingSlashes])
    -> JSONEncoder
  {
    let encoder = JSONEncoder()
    encoder.outputFormatting = formatting
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var c = encoder.singleValueContainer()
      // Half a microsecond up: a date read back from milliseconds may sit a hair below
      // its millisecond, and formatting truncates; so writing what was read gives the same text.
      try c.encode(date.addingTimeInterval(0.000_000_5).formatted(withMilliseconds))
    }
    return encoder
  }

  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .custom { decoder in
      let c = try decoder.singleValueContainer()
      let text = try c.decode(String.self)
      if let date = (try? withMilliseconds.parse(text)) ?? (try? wholeSeconds.parse(text)) { return date }
      throw DecodingError.dataCorruptedError(
        in: c, debugDescription: "expected an ISO 8601 date such as 2026-12-02T04:08:35.215Z, found \"\(text)\"")
    }
    return decoder
  }
}
