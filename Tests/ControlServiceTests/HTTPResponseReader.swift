import NIOCore

/// Reads HTTP/1.1 answers from the bytes a connection wrote, as they come: each answer
/// as its status code, then its body (or each chunk of a chunked one), then "end".
struct HTTPResponseReader {
  private var pending: [UInt8] = []
  private enum Expecting {
    case head
    case body(length: Int)
    case chunks
  }
  private var expecting = Expecting.head
  /// The header lines of the last answer's head, lowercased names.
  private(set) var headers: [String: String] = [:]

  mutating func feed(_ buffer: ByteBuffer) -> [String] {
    pending += buffer.readableBytesView
    var out: [String] = []
    while let item = next() { out += item }
    return out
  }

  private mutating func line() -> String? {
    guard let i = pending.indices.dropLast().first(where: { pending[$0] == 13 && pending[$0 + 1] == 10 }) else {
      return nil
    }
    let text = String(decoding: pending[..<i], as: UTF8.self)
    pending.removeFirst(i + 2)
    return text
  }

  private mutating func next() -> [String]? {
    switch expecting {
    case .head:
      guard let end = pending.indices.dropLast(3).first(where: { Array(pending[$0..<$0 + 4]) == [13, 10, 13, 10] })
      else { return nil }
      let lines = String(decoding: pending[..<end], as: UTF8.self).components(separatedBy: "\r\n")
      pending.removeFirst(end + 4)
      let code = lines[0].split(separator: " ")[1]
      headers = [:]
      for l in lines.dropFirst() {
        let parts = l.split(separator: ":", maxSplits: 1)
        headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
      }
      if headers["transfer-encoding"] == "chunked" {
        expecting = .chunks
        return [String(code)]
      }
      let length = Int(headers["content-length"] ?? "0") ?? 0
      if length == 0 { return [String(code), "end"] }
      expecting = .body(length: length)
      return [String(code)]
    case .body(let length):
      guard pending.count >= length else { return nil }
      let body = String(decoding: pending[..<length], as: UTF8.self)
      pending.removeFirst(length)
      expecting = .head
      return [body, "end"]
    case .chunks:
      let saved = pending
      guard let sizeLine = line(), let size = Int(sizeLine, radix: 16) else { return nil }
      guard pending.count >= size + 2 else {
        pending = saved
        return nil
      }
      let data = String(decoding: pending[..<size], as: UTF8.self)
      pending.removeFirst(size + 2)
      if size == 0 {
        expecting = .head
        return ["end"]
      }
      return [data]
    }
  }
}
