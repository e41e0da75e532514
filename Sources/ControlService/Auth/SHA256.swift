import COpenSSL

/// SHA-256 from OpenSSL's libcrypto, which the process loads anyway (librdkafka links it):
/// token digests and strong ETags need nothing more, and swift-crypto's bundled BoringSSL
/// took a minute of every clean build on two cores.
enum SHA256 {
  static func hash(_ bytes: [UInt8]) -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    let ok = bytes.withUnsafeBytes { input in
      EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha256(), nil)
    }
    // EVP_Digest fails only when it cannot allocate its context: nothing sensible can go on.
    precondition(ok == 1 && length == 32, "OpenSSL's EVP_Digest(SHA-256) failed")
    return Array(digest.prefix(32))
  }

  static func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
  }
}
