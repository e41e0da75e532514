import ArgumentParser
import Foundation
import MM2

struct MM2Command: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mm2", abstract: "MirrorMaker 2 internal records.", subcommands: [Decode.self])

  enum RecordType: String, ExpressibleByArgument, CaseIterable {
    case checkpoint
    case offsetSync = "offset-sync"
    case heartbeat
  }

  struct Decode: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Decode a checkpoint, offset-sync or heartbeat record from its key and value bytes.",
      discussion: "Exit code 0 when decoded, 1 when the bytes are not a valid record of that type.")

    @Option(help: "checkpoint, offset-sync or heartbeat.") var type: RecordType
    @Option(help: "The record key, hexadecimal.") var key: String
    @Option(help: "The record value, hexadecimal.") var value: String
    @Option(help: "text or json.") var output: OutputFormat = .text

    func run() async throws {
      let keyBytes: [UInt8]
      let valueBytes: [UInt8]
      do {
        keyBytes = try Hex.decode(key, field: "--key")
        valueBytes = try Hex.decode(value, field: "--value")
      } catch {
        printError("\(error)")
        throw Exit.invalid
      }
      do {
        switch type {
        case .checkpoint:
          let c = try Checkpoint.decode(key: keyBytes, value: valueBytes)
          try show(
            c,
            text:
              "group=\(c.group) topic=\(c.topic) partition=\(c.partition) upstreamOffset=\(c.upstreamOffset) downstreamOffset=\(c.downstreamOffset) metadata=\(quoted(c.metadata))"
          )
        case .offsetSync:
          let s = try OffsetSync.decode(key: keyBytes, value: valueBytes)
          try show(
            s,
            text:
              "topic=\(s.topic) partition=\(s.partition) upstreamOffset=\(s.upstreamOffset) downstreamOffset=\(s.downstreamOffset)"
          )
        case .heartbeat:
          let h = try Heartbeat.decode(key: keyBytes, value: valueBytes)
          try show(
            h,
            text:
              "sourceClusterAlias=\(h.sourceClusterAlias) targetClusterAlias=\(h.targetClusterAlias) timestamp=\(h.timestamp)"
          )
        }
      } catch let error as MM2CodecError {
        printError("not a valid \(type.rawValue) record: \(error)")
        throw Exit.invalid
      }
    }

    private func show<T: Encodable>(_ value: T, text: String) throws {
      if output == .json { try printJSON(value) } else { print(text) }
    }

    private func quoted(_ s: String) -> String {
      let data = try? JSONEncoder().encode(s)
      return data.map { String(decoding: $0, as: UTF8.self) } ?? "\"\(s)\""
    }
  }
}

enum Hex {
  struct Error: Swift.Error, CustomStringConvertible {
    let description: String
  }

  static func decode(_ s: String, field: String) throws -> [UInt8] {
    let chars = Array(s.hasPrefix("0x") ? s.dropFirst(2) : Substring(s))
    guard chars.count % 2 == 0 else {
      throw Error(description: "\(field): an even number of hexadecimal digits is expected, got \(chars.count)")
    }
    var out: [UInt8] = []
    out.reserveCapacity(chars.count / 2)
    var i = 0
    while i < chars.count {
      guard let byte = UInt8(String(chars[i...i + 1]), radix: 16) else {
        throw Error(description: "\(field): \"\(chars[i])\(chars[i + 1])\" at character \(i + 1) is not hexadecimal")
      }
      out.append(byte)
      i += 2
    }
    return out
  }
}
