/// One server-sent event: what a blank line dispatches.
public struct ServerSentEvent: Sendable, Equatable {
  public var id: String?
  public var event: String
  public var data: String

  public init(id: String?, event: String, data: String) {
    self.id = id
    self.event = event
    self.data = data
  }
}

/// Reads `text/event-stream` as the HTML standard defines it, from chunks cut anywhere
/// (inside a line, inside a character): lines end in LF, CRLF or CR; a line starting with
/// `:` is a comment; `field: value` sets a field; a blank line dispatches the event when
/// it has data.
public struct EventStreamParser: Sendable {
  private var pending: [UInt8] = []
  private var lastWasCR = false
  private var id: String?
  private var event = ""
  private var data: [String] = []
  private var hasData = false
  /// The `retry:` the server asked for, in milliseconds.
  public private(set) var retry: Int?
  /// Comments seen so far (heartbeats among them).
  public private(set) var comments = 0

  public init() {}

  /// The events that `chunk` completes.
  public mutating func feed(_ chunk: some Sequence<UInt8>) -> [ServerSentEvent] {
    var out: [ServerSentEvent] = []
    for byte in chunk {
      switch byte {
      case UInt8(ascii: "\n"):
        if lastWasCR {
          lastWasCR = false
          continue  // the LF of a CRLF
        }
        line(&out)
      case UInt8(ascii: "\r"):
        lastWasCR = true
        line(&out)
      default:
        lastWasCR = false
        pending.append(byte)
      }
    }
    return out
  }

  private mutating func line(_ out: inout [ServerSentEvent]) {
    defer { pending.removeAll(keepingCapacity: true) }
    if pending.isEmpty {
      if hasData {
        out.append(
          ServerSentEvent(id: id, event: event.isEmpty ? "message" : event, data: data.joined(separator: "\n")))
      }
      event = ""
      data = []
      hasData = false
      return
    }
    if pending.first == UInt8(ascii: ":") {
      comments += 1
      return
    }
    let text = String(decoding: pending, as: UTF8.self)
    let field: Substring
    var value: Substring = ""
    if let colon = text.firstIndex(of: ":") {
      field = text[..<colon]
      value = text[text.index(after: colon)...]
      if value.first == " " { value = value.dropFirst() }
    } else {
      field = text[...]
    }
    switch field {
    case "event": event = String(value)
    case "data":
      data.append(String(value))
      hasData = true
    case "id" where !value.contains("\0"): id = String(value)
    case "retry": if let ms = Int(value), ms >= 0 { retry = ms }
    default: break  // unknown fields are ignored, as the standard says
    }
  }
}
