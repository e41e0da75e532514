import Foundation

// The v3 JSON gateway's shapes (grpc-gateway over etcdserverpb): keys and values are
// base64, 64-bit integers are JSON strings, and fields that are zero or false are left
// out of answers (a failed txn has no `succeeded`, an expired lease's keepalive no `TTL`).

/// A 64-bit integer as the gateway writes it: a JSON string (a number is accepted too).
public struct EtcdInt: Codable, Sendable, Equatable, Hashable {
  public let value: Int64
  public init(_ value: Int64) { self.value = value }

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let s = try? c.decode(String.self), let v = Int64(s) {
      value = v
    } else {
      value = try c.decode(Int64.self)
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(String(value))
  }
}

/// Bytes as the gateway carries them: base64 in JSON.
public struct EtcdBytes: Codable, Sendable, Equatable, Hashable {
  public let bytes: [UInt8]
  public init(_ bytes: [UInt8]) { self.bytes = bytes }
  public init(_ text: String) { bytes = Array(text.utf8) }

  public var text: String { String(decoding: bytes, as: UTF8.self) }

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    let s = try c.decode(String.self)
    guard let data = Data(base64Encoded: s) else {
      throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected base64, found \"\(s)\"")
    }
    bytes = Array(data)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(Data(bytes).base64EncodedString())
  }
}

/// The header of every answer; only the revision is read (member ids are unsigned 64-bit
/// and may not fit an Int64).
public struct EtcdHeader: Decodable, Sendable, Equatable {
  public let revision: EtcdInt?
}

/// One key as stored, with its revisions and lease (0 or absent: none).
public struct EtcdKeyValue: Decodable, Sendable, Equatable {
  public let key: EtcdBytes
  public let value: EtcdBytes?
  public let create_revision: EtcdInt?
  public let mod_revision: EtcdInt?
  public let version: EtcdInt?
  public let lease: EtcdInt?

  public var createRevision: Int64 { create_revision?.value ?? 0 }
  public var modRevision: Int64 { mod_revision?.value ?? 0 }
  public var leaseID: Int64 { lease?.value ?? 0 }
  public var text: String { value?.text ?? "" }
}

public struct EtcdRangeRequest: Encodable, Sendable {
  public var key: EtcdBytes
  public var range_end: EtcdBytes?
  public var limit: EtcdInt?
  /// `ASCEND` or `DESCEND`.
  public var sort_order: String?
  /// `KEY`, `CREATE`, `MOD`, `VERSION`, `VALUE`.
  public var sort_target: String?
  public var max_create_revision: EtcdInt?

  public init(
    key: EtcdBytes, rangeEnd: EtcdBytes? = nil, limit: Int64? = nil, sortOrder: String? = nil,
    sortTarget: String? = nil, maxCreateRevision: Int64? = nil
  ) {
    self.key = key
    range_end = rangeEnd
    self.limit = limit.map(EtcdInt.init)
    sort_order = sortOrder
    sort_target = sortTarget
    max_create_revision = maxCreateRevision.map(EtcdInt.init)
  }
}

public struct EtcdRangeResponse: Decodable, Sendable {
  public let header: EtcdHeader?
  public let kvs: [EtcdKeyValue]?
  public let count: EtcdInt?

  public var values: [EtcdKeyValue] { kvs ?? [] }
}

public struct EtcdPutRequest: Encodable, Sendable {
  public var key: EtcdBytes
  public var value: EtcdBytes
  public var lease: EtcdInt?

  public init(key: EtcdBytes, value: EtcdBytes, lease: Int64? = nil) {
    self.key = key
    self.value = value
    self.lease = lease.map(EtcdInt.init)
  }
}

public struct EtcdDeleteRequest: Encodable, Sendable {
  public var key: EtcdBytes
  public var range_end: EtcdBytes?

  public init(key: EtcdBytes, rangeEnd: EtcdBytes? = nil) {
    self.key = key
    range_end = rangeEnd
  }
}

/// One comparison of a txn.
public struct EtcdCompare: Encodable, Sendable {
  public var target: String
  public var result: String
  public var key: EtcdBytes
  public var create_revision: EtcdInt?
  public var mod_revision: EtcdInt?
  public var version: EtcdInt?
  public var lease: EtcdInt?
  public var value: EtcdBytes?

  /// The key's create revision: 0 means the key does not exist.
  public static func createRevision(_ key: String, _ n: Int64, result: String = "EQUAL") -> EtcdCompare {
    EtcdCompare(target: "CREATE", result: result, key: EtcdBytes(key), create_revision: EtcdInt(n))
  }

  public static func modRevision(_ key: String, _ n: Int64, result: String = "EQUAL") -> EtcdCompare {
    EtcdCompare(target: "MOD", result: result, key: EtcdBytes(key), mod_revision: EtcdInt(n))
  }

  public static func lease(_ key: String, _ id: Int64) -> EtcdCompare {
    EtcdCompare(target: "LEASE", result: "EQUAL", key: EtcdBytes(key), lease: EtcdInt(id))
  }
}

/// One operation of a txn's success or failure branch.
public struct EtcdOp: Encodable, Sendable {
  public var request_range: EtcdRangeRequest?
  public var request_put: EtcdPutRequest?
  public var request_delete_range: EtcdDeleteRequest?

  public static func put(_ key: String, _ value: String, lease: Int64? = nil) -> EtcdOp {
    EtcdOp(request_put: EtcdPutRequest(key: EtcdBytes(key), value: EtcdBytes(value), lease: lease))
  }

  public static func range(_ key: String) -> EtcdOp { EtcdOp(request_range: EtcdRangeRequest(key: EtcdBytes(key))) }

  public static func delete(_ key: String) -> EtcdOp {
    EtcdOp(request_delete_range: EtcdDeleteRequest(key: EtcdBytes(key)))
  }
}

public struct EtcdTxnRequest: Encodable, Sendable {
  public var compare: [EtcdCompare]
  public var success: [EtcdOp]
  public var failure: [EtcdOp]

  public init(compare: [EtcdCompare], success: [EtcdOp], failure: [EtcdOp] = []) {
    self.compare = compare
    self.success = success
    self.failure = failure
  }
}

public struct EtcdTxnResponse: Decodable, Sendable {
  public struct Response: Decodable, Sendable {
    public let response_range: EtcdRangeResponse?
  }

  public let header: EtcdHeader?
  /// Absent (false) when a comparison failed.
  public let succeeded: Bool?
  public let responses: [Response]?

  public var ok: Bool { succeeded ?? false }
  public var revision: Int64 { header?.revision?.value ?? 0 }
}

struct EtcdLeaseGrant: Encodable {
  let TTL: EtcdInt
}

struct EtcdLeaseID: Encodable {
  let ID: EtcdInt
}

struct EtcdLeaseGrantResponse: Decodable {
  let ID: EtcdInt?
  let TTL: EtcdInt?
  let error: String?
}

struct EtcdKeepAliveResponse: Decodable {
  struct Result: Decodable {
    let ID: EtcdInt?
    let TTL: EtcdInt?
  }
  let result: Result?
}

/// The gateway's error body: `{"error": "...", "code": 9, "message": "..."}`.
struct EtcdErrorBody: Decodable {
  let error: String?
  let message: String?
  let code: Int?
}
