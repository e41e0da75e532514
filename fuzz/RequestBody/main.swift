import ControlService
import FuzzSupport

// Request bodies and discovery query strings from anyone who can reach the API: every
// admin body decoder and the discovery request rules refuse bad input with an error.
@_cdecl("LLVMFuzzerTestOneInput")
public func check(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = input(data, size)
  run(bytes)
  return 0
}

private func run(_ bytes: [UInt8]) {
  RequestChecks.check(bytes)
}
