/// What libFuzzer hands a target (`LLVMFuzzerTestOneInput`, declared by each target with
/// `@_cdecl`; `swift build --sanitize fuzzer` links libFuzzer's main): the input as bytes.
public func input(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
  data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
}
