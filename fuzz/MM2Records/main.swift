import FuzzSupport
import MM2

// MM2's internal records come from topics anyone with write access can fill: every
// decoder must refuse what is not a record, never crash. The first byte picks the record,
// the second where the key ends and the value begins.
@_cdecl("LLVMFuzzerTestOneInput")
public func check(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = input(data, size)
  run(bytes)
  return 0
}

private func run(_ bytes: [UInt8]) {
  guard bytes.count >= 2 else { return }
  let body = Array(bytes.dropFirst(2))
  let split = min(Int(bytes[1]), body.count)
  let key = Array(body[..<split])
  let value = Array(body[split...])
  switch bytes[0] % 3 {
  case 0: _ = try? Checkpoint.decode(key: key, value: value)
  case 1: _ = try? OffsetSync.decode(key: key, value: value)
  default: _ = try? Heartbeat.decode(key: key, value: value)
  }
}
