import FuzzSupport
import Orchestrator

// Policy files, any text: refused with located errors, never a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func check(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = input(data, size)
  run(bytes)
  return 0
}

private func run(_ bytes: [UInt8]) {
  _ = try? PolicyLoader.parse(yaml: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", defaultName: "fuzz")
}
