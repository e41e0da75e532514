import DiscoveryClient
import FuzzSupport

// What a server (or anything answering at its address) streams to `watch`: the first byte
// says where the chunks are cut; every event found must decode or be skipped.
@_cdecl("LLVMFuzzerTestOneInput")
public func check(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = input(data, size)
  run(bytes)
  return 0
}

private func run(_ bytes: [UInt8]) {
  guard let first = bytes.first else { return }
  let body = Array(bytes.dropFirst())
  let cut = max(1, Int(first))
  var parser = EventStreamParser()
  var at = 0
  while at < body.count {
    for event in parser.feed(body[at..<min(body.count, at + cut)]) {
      _ = try? DiscoveryView.decode(Array(event.data.utf8))
    }
    at += cut
  }
}
