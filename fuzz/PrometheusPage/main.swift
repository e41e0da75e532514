import FuzzSupport
import HealthProbes

// A Prometheus page from any endpoint a probe is pointed at: parsed or refused.
@_cdecl("LLVMFuzzerTestOneInput")
public func check(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
  let bytes = input(data, size)
  run(bytes)
  return 0
}

private func run(_ bytes: [UInt8]) {
  _ = try? PrometheusText.parse(String(decoding: bytes, as: UTF8.self))
}
